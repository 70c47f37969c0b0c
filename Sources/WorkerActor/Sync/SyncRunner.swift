import Logging
import Payments
import Store
import StripeGateway

/// After a webhook said the processor moved on: reads the intent and its refunds back by id and records
/// what they say, through the same compare-and-set transitions as every other outcome.
struct SyncRunner {
    let database: Database
    let stripe: any StripeAPI
    let owner: String
    let backoff: Backoff
    let logger: Logger

    func run(_ op: ClaimedOperation) async throws(StoreError) {
        guard let intentId = op.payment.processorReference else {
            return try await done(op)
        }
        let readBack = await stripe.retrievePaymentIntent(id: intentId)
        if case .rejected(let status, let error) = readBack {
            // Refused for good (the intent is not there): a read-back nudge that can never succeed is dropped.
            logger.warning("sync read-back refused; dropped", metadata: ["status": "\(status)", "code": "\(error.code ?? error.type)"])
            return try await done(op)
        }
        guard case .success(let intent) = readBack else {
            return try await database.reschedule(
                operationId: op.id, owner: owner, after: backoff.delay(afterAttempt: op.attempts), error: "read-back failed")
        }
        if case .finish(let outcome) = AuthorizationDecision.afterReadBack(intent) {
            let (change, events) = outcome.record(for: op, at: Timestamp.now())
            try await database.finishOperation(id: op.id, paymentId: op.paymentId, change: change, events: events, resolution: .done)
        }
        if op.payment.status == .captured || intent.status == .succeeded, case .success(let refunds) = await stripe.listRefunds(paymentIntent: intentId) {
            for refund in refunds {
                guard let refundId = refund.metadata["refund_id"], let local = try await database.refund(id: refundId) else { continue }
                try await record(refund, local: local, op: op)
            }
        }
        try await done(op)
    }

    private func record(_ refund: StripeRefund, local: Refund, op: ClaimedOperation) async throws(StoreError) {
        guard case .state(let status, let reference, let failureReason) = RefundDecision.state(of: refund), status != local.status else { return }
        let now = Timestamp.now()
        let event: DomainEvent = status == .processed
            ? .refundProcessed(refundId: local.refundId, paymentId: local.paymentId, amount: local.amount, currency: local.currency, processedAt: now)
            : .refundFailed(refundId: local.refundId, paymentId: local.paymentId, amount: local.amount, currency: local.currency,
                            reason: failureReason, failedAt: now)
        try await database.recordRefund(
            operationId: nil, owner: owner, refundId: local.refundId, status: status, processorReference: reference,
            failureReason: failureReason, events: [event], watchAgainAfter: nil)
    }

    private func done(_ op: ClaimedOperation) async throws(StoreError) {
        try await database.finishOperation(id: op.id, paymentId: op.paymentId, change: PaymentChange(), events: [], resolution: .done)
    }
}
