import Logging
import Payments
import Store
import StripeGateway

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
        var decision: RefundDecision
        if let reference = refund.processorReference {
            // Reading back a refund the processor has: only its own status may end it.
            switch await stripe.retrieveRefund(id: reference) {
            case .success(let found): decision = RefundDecision.state(of: found)
            default: decision = .retry(reason: "read-back of \(reference) failed")
            }
        } else {
            if !op.dispatched {
                let requested = DomainEvent.refundRequested(
                    refundId: refundId, paymentId: op.paymentId, orderId: op.payment.orderId, amount: refund.amount,
                    currency: op.payment.currency, reason: refund.reason?.rawValue, requestedAt: Timestamp.now())
                guard try await database.recordDispatch(of: op, event: requested) else { return }
            }
            let params = CreateRefundParams(
                paymentIntent: intentId, amount: refund.amount, reason: refund.reason?.rawValue,
                metadata: ["refund_id": refundId, "payment_id": op.paymentId])
            decision = RefundDecision.afterCall(
                await stripe.createRefund(params, idempotencyKey: StripeKeys.refund(op.idempotencyKey, attempt: op.keyAttempt)))
        }
        switch decision {
        case .readBack(let reason):
            decision = await findAtProcessor(refundId: refundId, intentId: intentId, after: reason)
        case .readBackReplayed(let reason):
            // A saved 500: the payment's refunds are listed first; not there means nothing happened, and this
            // key can only replay the 500, so the next claim creates under the next key.
            decision = await findAtProcessor(refundId: refundId, intentId: intentId, after: reason)
            if case .retry = decision { decision = .nextKey(reason: reason) }
        default:
            break
        }
        try await record(decision, op: op, refundId: refundId, refund: refund)
    }

    private func findAtProcessor(refundId: String, intentId: String, after reason: String) async -> RefundDecision {
        logger.info("reading refunds back", metadata: ["refund_id": "\(refundId)", "reason": "\(reason)"])
        guard case .success(let refunds) = await stripe.listRefunds(paymentIntent: intentId) else {
            return .retry(reason: "read-back failed after: \(reason)")
        }
        guard let found = refunds.first(where: { $0.metadata["refund_id"] == refundId }) else {
            // Not there: it never executed. Creating again with the same key is the same request.
            return .retry(reason: "not found at the processor after: \(reason)")
        }
        return RefundDecision.state(of: found)
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
