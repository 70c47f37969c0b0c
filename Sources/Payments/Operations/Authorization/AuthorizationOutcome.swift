/// The final word on an authorization, and what it writes: the payment's change and its events.
public enum AuthorizationOutcome: Sendable, Equatable {
    /// `expiresAt`: the hold's `capture_before` (unix seconds), when the processor gave one.
    case authorized(reference: String, expiresAt: Int? = nil)
    case captured(reference: String, amount: Int)
    case failed(FailureReason, declineCode: String?, reference: String?)
    /// The intent was cancelled at the processor (a void that raced the authorization); `expired` when the
    /// processor cancelled it itself because the hold expired.
    case voided(reference: String?, expired: Bool = false)

    /// Whether this is what `kind` asked for: a capture that captured, a void that voided.
    public func isOutcome(of kind: OperationKind) -> Bool {
        switch (self, kind) {
        case (.captured, .capture), (.voided, .void): true
        default: false
        }
    }

    /// The payment's change and its events. `announcingSuccess` is false where `payment-succeeded` was written
    /// already (a capture or void settles a payment the authorization announced).
    public func record(for op: ClaimedOperation, at time: String, announcingSuccess: Bool = true) -> (PaymentChange, [DomainEvent]) {
        let p = op.payment
        let id = op.paymentId
        switch self {
        case .authorized(let reference, let expiresAt):
            var change = PaymentChange(status: .authorized, processorReference: reference)
            change.authorizationExpiresAt = expiresAt.map(UnixTime.rfc3339)
            return (change, succeeded(op, reference, time, announcingSuccess))
        case .captured(let reference, let amount):
            return (
                PaymentChange(status: .captured, amountCaptured: amount, processorReference: reference),
                succeeded(op, reference, time, announcingSuccess)
                    + [.paymentCaptured(paymentId: id, orderId: p.orderId, amount: amount, currency: p.currency,
                                        processorReference: reference, capturedAt: time)])
        case .failed(let reason, let declineCode, let reference):
            return (
                PaymentChange(status: .failed, failureReason: reason, declineCode: declineCode, processorReference: reference),
                [.paymentFailed(paymentId: id, orderId: p.orderId, reason: reason, failedAt: time)])
        case .voided(let reference, true):
            var change = PaymentChange(status: .voided, processorReference: reference)
            change.voidReason = .expired
            return (change, [.paymentAuthorizationExpired(paymentId: id, orderId: p.orderId, processorReference: reference, expiredAt: time)])
        case .voided(let reference, false):
            return (
                PaymentChange(status: .voided, processorReference: reference),
                [.paymentVoided(paymentId: id, orderId: p.orderId, processorReference: reference, voidedAt: time)])
        }
    }

    private func succeeded(_ op: ClaimedOperation, _ reference: String, _ time: String, _ announcing: Bool) -> [DomainEvent] {
        guard announcing else { return [] }
        let p = op.payment
        return [.paymentSucceeded(paymentId: op.paymentId, orderId: p.orderId, amount: p.amount, currency: p.currency,
                                  processorReference: reference, succeededAt: time)]
    }
}
