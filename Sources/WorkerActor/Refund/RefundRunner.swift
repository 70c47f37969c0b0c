import Logging
import Payments
import Store
import StripeGateway
import Support

/// Drives a refund: record the dispatch with `refund-requested`, create it at the processor with its fixed
/// key (`metadata[refund_id]`), settle unknown answers by finding it there, and after PROCESSED keep reading
/// it back for a while, since the processor may still fail it.
struct RefundRunner {
    let database: Database
    let stripe: any StripeAPI
    let recorder: OperationRecorder
    let logger: Logger

    func run(_ op: ClaimedOperation) async throws(StoreError) {
        guard let refundId = op.refundId, let refund = op.refund, let intentId = op.payment.processorReference else {
            throw StoreError(.unexpectedResult, "refund operation \(op.id) without its refund or intent")
        }
        guard var decision = try await call(op, refundId: refundId, refund: refund, intentId: intentId) else { return }
        switch decision {
        case .readBack(let reason):
            decision = await findAtProcessor(refundId: refundId, intentId: intentId, after: reason) ?? .retry(reason: reason)
        case .readBackReplayed(let reason):
            // A saved 500: the payment's refunds are listed first; listed and not there means nothing happened,
            // and this key can only replay the 500, so the next claim creates under the next key. A list that
            // failed proves nothing: the same key again.
            decision = await findAtProcessor(refundId: refundId, intentId: intentId, after: reason)
                ?? .nextKey(reason: reason)
        default:
            break
        }
        try await record(decision, op: op, refundId: refundId, refund: refund)
    }

    /// The processor call this claim makes: a read-back of a refund it has, or the create. A create under a
    /// numbered key (an earlier key's saved 500) first lists the payment's refunds once more, and creates only
    /// when the list was read and does not hold it. Nil: the operation is no longer this claim's to run.
    private func call(_ op: ClaimedOperation, refundId: String, refund: RefundContext, intentId: String) async throws(StoreError) -> RefundDecision? {
        if let reference = refund.processorReference {
            // Reading back a refund the processor has: only its own status may end it.
            guard case .success(let found) = await stripe.retrieveRefund(id: reference) else {
                return .retry(reason: "read-back of \(reference) failed")
            }
            return RefundDecision.state(of: found)
        }
        if !op.dispatched {
            let requested = DomainEvent.refundRequested(
                refundId: refundId, paymentId: op.paymentId, orderId: op.payment.orderId, amount: refund.amount,
                currency: op.payment.currency, reason: refund.reason?.rawValue, requestedAt: Timestamp.now())
            guard try await database.recordDispatch(of: op, event: requested) else { return nil }
        }
        if op.keyAttempt > 0, let known = await findAtProcessor(refundId: refundId, intentId: intentId, after: "a new key") {
            return known
        }
        let params = CreateRefundParams(
            paymentIntent: intentId, amount: refund.amount, reason: refund.reason?.rawValue,
            metadata: ["refund_id": refundId, "payment_id": op.paymentId])
        return RefundDecision.afterCall(
            await stripe.createRefund(params, idempotencyKey: StripeKeys.refund(op.idempotencyKey, attempt: op.keyAttempt)))
    }

    /// Where the payment's refunds put this one: its state, `.retry` when the list could not be read, or nil when
    /// the list was read and it is not there (it never executed).
    private func findAtProcessor(refundId: String, intentId: String, after reason: String) async -> RefundDecision? {
        logger.info("reading refunds back", metadata: ["refund_id": "\(refundId)", "reason": "\(reason)"])
        guard case .success(let refunds) = await stripe.listRefunds(paymentIntent: intentId) else {
            return .retry(reason: "read-back failed after: \(reason)")
        }
        return refunds.first(where: { $0.metadata["refund_id"] == refundId }).map(RefundDecision.state(of:))
    }

    private func record(_ decision: RefundDecision, op: ClaimedOperation, refundId: String, refund: RefundContext) async throws(StoreError) {
        let now = Timestamp.now()
        let currency = op.payment.currency
        switch decision {
        case .state(.processed, let reference, _):
            // Claims since the refund moved count the read-backs; the next pause, or none when done watching.
            let reads = refund.status == .processed ? op.attempts : 0
            let next = reads < RefundDecision.watchSchedule.count ? RefundDecision.watchSchedule[reads] : nil
            try await database.recordRefund(
                op.lease, drivesRefund: true, refundId: refundId, status: .processed, processorReference: reference,
                failureReason: nil,
                events: [.refundProcessed(refundId: refundId, paymentId: op.paymentId, amount: refund.amount, currency: currency, processedAt: now)],
                watchAgainAfter: next)
        case .state(_, let reference, let failureReason):
            try await database.recordRefund(
                op.lease, drivesRefund: true, refundId: refundId, status: .failed, processorReference: reference,
                failureReason: failureReason,
                events: [.refundFailed(refundId: refundId, paymentId: op.paymentId, amount: refund.amount, currency: currency,
                                       reason: failureReason, failedAt: now)],
                watchAgainAfter: nil)
        case .refused(let code, let message):
            try await database.recordRefund(
                op.lease, drivesRefund: true, refundId: refundId, status: .failed, processorReference: nil, failureReason: code,
                events: [.refundFailed(refundId: refundId, paymentId: op.paymentId, amount: refund.amount, currency: currency,
                                       reason: code, failedAt: now)],
                lastError: PaymentError(operation: "refund", code: code, message: message, at: now), watchAgainAfter: nil)
        case .pending(let reference):
            try await database.recordRefund(
                op.lease, drivesRefund: true, refundId: refundId, status: refund.status, processorReference: reference,
                failureReason: nil, events: [], watchAgainAfter: RefundDecision.pendingPause(afterReads: op.attempts))
        case .retry(let reason), .readBack(let reason), .readBackReplayed(let reason):
            try await recorder.retry(op, reason: reason)
        case .nextKey(let reason):
            try await recorder.retry(op, reason: "saved 500, refund not at the processor: \(reason)", newKeyAttempt: op.keyAttempt + 1)
        }
    }
}
