import Logging
import Payments
import Store
import StripeGateway
import Support

/// After a webhook said the processor moved on: reads the intent and its refunds back by id and records
/// what they say, through the same compare-and-set transitions as every other outcome.
struct SyncRunner {
    let database: Database
    let stripe: any StripeAPI
    let recorder: OperationRecorder
    let logger: Logger

    func run(_ op: ClaimedOperation) async throws(StoreError) {
        guard let intentId = op.payment.processorReference else {
            return try await recorder.done(op)
        }
        let readBack = await stripe.retrievePaymentIntent(id: intentId)
        if case .rejected(let status, let error) = readBack {
            // Refused for good (the intent is not there): a read-back nudge that can never succeed is dropped.
            logger.warning("sync read-back refused; dropped", metadata: ["status": "\(status)", "code": "\(error.code ?? error.type)"])
            return try await recorder.done(op)
        }
        guard case .success(let intent) = readBack else {
            return try await recorder.retry(op, reason: "read-back failed")
        }
        // Refunds exist only for a payment recorded CAPTURED; a change made by this very sync cannot have any.
        let captured = op.payment.status == .captured
        guard case .finish(let outcome) = AuthorizationDecision.afterReadBack(intent) else {
            return try await finish(op, change: PaymentChange(), events: [], refundsOf: intentId, captured: captured)
        }
        let (change, events) = outcome.record(for: op, at: Timestamp.now())
        try await finish(op, change: change, events: events, refundsOf: intentId, captured: captured)
    }

    /// Records the refunds the processor holds for a captured intent, then ends the sync with `change`.
    /// The refunds come first: ending the operation ends its lease, and the refunds are written under it.
    private func finish(
        _ op: ClaimedOperation, change: PaymentChange, events: [DomainEvent], refundsOf intentId: String, captured: Bool
    ) async throws(StoreError) {
        if captured, case .success(let refunds) = await stripe.listRefunds(paymentIntent: intentId) {
            for refund in refunds {
                guard let refundId = refund.metadata["refund_id"], let local = try await database.refund(id: refundId) else { continue }
                try await record(refund, local: local, op: op)
            }
        }
        try await database.finishOperation(op.lease, paymentId: op.paymentId, change: change, events: events, resolution: .done)
    }

    private func record(_ refund: StripeRefund, local: Refund, op: ClaimedOperation) async throws(StoreError) {
        guard case .state(let status, let reference, let failureReason) = RefundDecision.state(of: refund), status != local.status else { return }
        let now = Timestamp.now()
        let event: DomainEvent = status == .processed
            ? .refundProcessed(refundId: local.refundId, paymentId: local.paymentId, amount: local.amount, currency: local.currency, processedAt: now)
            : .refundFailed(refundId: local.refundId, paymentId: local.paymentId, amount: local.amount, currency: local.currency,
                            reason: failureReason, failedAt: now)
        try await database.recordRefund(
            op.lease, drivesRefund: false, refundId: local.refundId, status: status, processorReference: reference,
            failureReason: failureReason, events: [event], watchAgainAfter: nil)
    }
}
