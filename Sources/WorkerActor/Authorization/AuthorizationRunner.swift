import Logging
import Payments
import Store
import StripeGateway

/// Drives one claimed authorization: record the dispatch, create the intent unconfirmed and record its id,
/// confirm it by id, and record the outcome, settling any unknown answer by reading the intent back.
struct AuthorizationRunner {
    let database: Database
    let stripe: any StripeAPI
    let owner: String
    let lease: Duration
    let backoff: Backoff
    let logger: Logger

    func run(_ op: ClaimedOperation) async throws(StoreError) {
        guard op.payment.status == .requested else {
            // Settled elsewhere (a webhook, another worker): nothing to send.
            try await database.finishOperation(id: op.id, paymentId: op.paymentId, change: PaymentChange(), events: [], resolution: .done)
            return
        }
        if !op.dispatched {
            let requested = DomainEvent.paymentRequested(
                paymentId: op.paymentId, orderId: op.payment.orderId, customerId: op.payment.customerId,
                amount: op.payment.amount, currency: op.payment.currency, requestedAt: Timestamp.now())
            guard try await database.recordDispatch(of: op, event: requested) else { return }
        }
        var decision: AuthorizationDecision
        var knownIntent = op.payment.processorReference
        if let knownIntent {
            // A retry first asks where the intent stands: a confirm under the same key would only replay
            // the saved answer (a 500, or `processing`) instead of saying what happened since.
            decision = op.attempts > 1 ? .readBack(reason: "retrying attempt \(op.attempts)") : .confirm(intentId: knownIntent)
        } else {
            let params = CreatePaymentIntentParams(
                amount: op.payment.amount, currency: op.payment.currency, captureMethod: op.payment.capture.rawValue,
                metadata: op.payment.metadata.merging(["payment_id": op.paymentId, "order_id": op.payment.orderId]) { _, new in new })
            decision = AuthorizationDecision.afterCreate(
                await stripe.createPaymentIntent(params, idempotencyKey: StripeKeys.create(op.idempotencyKey, attempt: op.createAttempt)))
            if case .confirm(let intentId) = decision {
                try await database.recordProcessorReference(paymentId: op.paymentId, reference: intentId)
                knownIntent = intentId
            }
        }
        // At most: confirm, read back, confirm again (the read-back said it never ran), read back.
        for step in 0..<4 {
            // Each further processor call first extends the lease, so no other worker takes the operation meanwhile.
            if step > 0, decision.callsProcessor,
               !(try await database.renewLease(operationId: op.id, owner: owner, lease: lease)) { return }
            switch decision {
            case .confirm(let intentId):
                let result = await stripe.confirmPaymentIntent(
                    id: intentId, paymentMethod: op.payment.paymentMethod, idempotencyKey: StripeKeys.confirm(op.idempotencyKey))
                decision = AuthorizationDecision.afterConfirm(result, intentId: intentId)
            case .readBack(let reason):
                guard let intentId = knownIntent else {
                    return try await retry(op, reason: reason, freshCreateKey: false)
                }
                logger.info("reading intent back", metadata: ["payment_id": "\(op.paymentId)", "reason": "\(reason)"])
                switch await stripe.retrievePaymentIntent(id: intentId) {
                case .success(let intent): decision = AuthorizationDecision.afterReadBack(intent)
                case .rejected(404, let error):
                    // The processor has no such intent: it holds no money. Retrying would never heal.
                    decision = .finish(.failed(.processingError, declineCode: error.code ?? "resource_missing", reference: intentId))
                default: return try await retry(op, reason: "read-back failed after: \(reason)", freshCreateKey: false)
                }
            case .retry(let reason, let fresh):
                return try await retry(op, reason: reason, freshCreateKey: fresh)
            case .finish(let outcome):
                return try await finish(op, outcome)
            }
        }
        try await retry(op, reason: "no decision after several calls", freshCreateKey: false)
    }

    private func finish(_ op: ClaimedOperation, _ outcome: AuthorizationOutcome) async throws(StoreError) {
        let (change, events) = outcome.record(for: op, at: Timestamp.now())
        let applied = try await database.finishOperation(
            id: op.id, paymentId: op.paymentId, change: change, events: events, resolution: .done)
        logger.info("authorization settled", metadata: [
            "payment_id": "\(op.paymentId)", "outcome": "\(outcome)", "applied": "\(applied)",
        ])
    }

    private func retry(_ op: ClaimedOperation, reason: String, freshCreateKey: Bool) async throws(StoreError) {
        let delay = backoff.delay(afterAttempt: op.attempts)
        logger.notice("authorization will be retried", metadata: [
            "payment_id": "\(op.paymentId)", "attempt": "\(op.attempts)", "reason": "\(reason)", "delay": "\(delay)",
        ])
        try await database.reschedule(
            operationId: op.id, owner: owner, after: delay, error: reason,
            newCreateAttempt: freshCreateKey ? op.createAttempt + 1 : nil)
    }
}
