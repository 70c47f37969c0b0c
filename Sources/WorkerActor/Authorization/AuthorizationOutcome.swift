import Payments
import Store

/// The final word on an authorization, and what it writes: the payment's change and its events.
public enum AuthorizationOutcome: Sendable, Equatable {
    case authorized(reference: String)
    case captured(reference: String, amount: Int)
    case failed(FailureReason, declineCode: String?, reference: String?)
    /// The intent was cancelled at the processor (a void that raced the authorization).
    case voided(reference: String?)

    /// Whether this is what `kind` asked for: a capture that captured, a void that voided.
    public func isOutcome(of kind: OperationKind) -> Bool {
        switch (self, kind) {
        case (.captured, .capture), (.voided, .void): true
        default: false
        }
    }

    public func record(for payment: ClaimedOperation, at time: String) -> (PaymentChange, [DomainEvent]) {
        let p = payment.payment
        let id = payment.paymentId
        switch self {
        case .authorized(let reference):
            return (
                PaymentChange(status: .authorized, processorReference: reference),
                [.paymentSucceeded(paymentId: id, orderId: p.orderId, amount: p.amount, currency: p.currency,
                                   processorReference: reference, succeededAt: time)])
        case .captured(let reference, let amount):
            return (
                PaymentChange(status: .captured, amountCaptured: amount, processorReference: reference),
                [.paymentSucceeded(paymentId: id, orderId: p.orderId, amount: p.amount, currency: p.currency,
                                   processorReference: reference, succeededAt: time),
                 .paymentCaptured(paymentId: id, orderId: p.orderId, amount: amount, currency: p.currency,
                                  processorReference: reference, capturedAt: time)])
        case .failed(let reason, let declineCode, let reference):
            return (
                PaymentChange(status: .failed, failureReason: reason, declineCode: declineCode, processorReference: reference),
                [.paymentFailed(paymentId: id, orderId: p.orderId, reason: reason, failedAt: time)])
        case .voided(let reference):
            return (
                PaymentChange(status: .voided, processorReference: reference),
                [.paymentVoided(paymentId: id, orderId: p.orderId, processorReference: reference, voidedAt: time)])
        }
    }
}
