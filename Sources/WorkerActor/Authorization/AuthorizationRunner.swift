import Logging
import Payments
import Store
import StripeGateway
import Support

/// Drives one claimed authorization: record the dispatch, create the intent unconfirmed and record its id,
/// confirm it by id, and record the outcome, settling any unknown answer by reading the intent back.
struct AuthorizationRunner {
    let database: Database
    let stripe: any StripeAPI
    let recorder: OperationRecorder
    /// How long the processor's search may lag behind a create (`STRIPE_SEARCH_LAG`).
    let searchLag: Duration
    let logger: Logger

    /// Create keys per payment (a key moves on only when it replays a saved 500 and no intent is found): then parked.
    static let createKeys = 3

    func run(_ op: ClaimedOperation) async throws(StoreError) {
        guard op.payment.status == .requested else { return try await recorder.done(op) }
        if !op.dispatched {
            let requested = DomainEvent.paymentRequested(
                paymentId: op.paymentId, orderId: op.payment.orderId, customerId: op.payment.customerId,
                amount: op.payment.amount, currency: op.payment.currency, requestedAt: Timestamp.now())
            guard try await database.recordDispatch(of: op, event: requested) else { return }
        }
        let (decision, knownIntent) = try await start(op)
        try await drive(op, from: decision, knownIntent: knownIntent)
    }

    /// At most: confirm, read back, confirm again (the read-back said it never ran), read back.
    private func drive(_ op: ClaimedOperation, from first: AuthorizationDecision, knownIntent: String?) async throws(StoreError) {
        var decision = first
        for _ in 0..<4 {
            switch decision {
            case .confirm(let intentId):
                let result = await stripe.confirmPaymentIntent(
                    id: intentId, paymentMethod: op.payment.paymentMethod,
                    idempotencyKey: StripeKeys.confirm(op.idempotencyKey, attempt: op.keyAttempt))
                decision = AuthorizationDecision.afterConfirm(result, intentId: intentId)
            case .readBack(let reason), .readBackReplayed(let reason), .findCreated(let reason):
                guard let intentId = knownIntent else { return try await retry(op, reason: reason, freshCreateKey: false) }
                decision = await readBack(intentId, op: op, after: decision, reason: reason)
            case .retry(let reason, let fresh):
                return try await retry(op, reason: reason, freshCreateKey: fresh)
            case .nextConfirmKey(let reason):
                return try await recorder.retry(op, reason: "saved 500, intent unconfirmed: \(reason)", newKeyAttempt: op.keyAttempt + 1)
            case .protocolFault(let reason):
                return try await recorder.protocolFault(op, reason: reason)
            case .finish(let outcome):
                return try await finish(op, outcome)
            }
        }
        try await retry(op, reason: "no decision after several calls", freshCreateKey: false)
    }

    /// The first decision: where a recorded intent stands, or a new intent created and recorded.
    private func start(_ op: ClaimedOperation) async throws(StoreError) -> (AuthorizationDecision, String?) {
        if let known = op.payment.processorReference {
            // A retry first asks where the intent stands: a confirm under the same key would only replay
            // the saved answer (a 500, or `processing`) instead of saying what happened since.
            return (op.attempts > 1 ? .readBack(reason: "retrying attempt \(op.attempts)") : .confirm(intentId: known), known)
        }
        let key = StripeKeys.create(op.idempotencyKey, attempt: op.createAttempt)
        let params = CreatePaymentIntentParams(
            amount: op.payment.amount, currency: op.payment.currency, captureMethod: op.payment.capture.rawValue,
            metadata: op.payment.metadata.merging(["payment_id": op.paymentId, "order_id": op.payment.orderId]) { _, new in new })
        var decision = AuthorizationDecision.afterCreate(await stripe.createPaymentIntent(params, idempotencyKey: key))
        if case .findCreated(let reason) = decision { decision = await findCreated(op, after: reason) }
        guard case .confirm(let created) = decision else { return (decision, nil) }
        let recorded = try await record(created, createKey: key, op: op)
        return (recorded == created ? decision : .readBack(reason: "intent \(recorded) was recorded first"), recorded)
    }

    private func findCreated(_ op: ClaimedOperation, after reason: String) async -> AuthorizationDecision {
        logger.info("searching for the intent of a create whose key cannot tell", metadata: ["reason": "\(reason)"])
        guard case .success(let found) = await stripe.searchPaymentIntents(metadataKey: "payment_id", value: op.paymentId) else {
            return .retry(reason: "search failed after: \(reason)", freshCreateKey: false)
        }
        return AuthorizationDecision.afterSearch(
            found, paymentId: op.paymentId, sinceDispatch: op.sinceDispatch, searchLag: searchLag, reason: reason)
    }

    /// Records a created intent and returns the one on record. Only the recorded intent is ever confirmed, and
    /// a reference is never replaced: a created intent that is not the recorded one is cancelled (it is
    /// unconfirmed and holds no money). A runner whose lease was taken over cancels only when a different
    /// intent is already recorded: otherwise the claim that took over may use the same create key, and so
    /// this very intent; the orphan is left unconfirmed, logged, and found by its `metadata.payment_id`.
    private func record(_ created: String, createKey: String, op: ClaimedOperation) async throws(StoreError) -> String {
        do {
            let recorded = try await database.recordProcessorReference(op.lease, paymentId: op.paymentId, reference: created)
            if recorded != created { await cancelOrphan(created, createKey: createKey) }
            return recorded
        } catch where error.code == .leaseLost {
            let recorded = try? await database.payment(id: op.paymentId)?.processorReference
            if let recorded, recorded != created {
                await cancelOrphan(created, createKey: createKey)
            } else {
                logger.warning("lease taken over after a create: intent left unconfirmed", metadata: ["intent_id": "\(created)"])
            }
            throw error
        }
    }

    private func cancelOrphan(_ intentId: String, createKey: String) async {
        let result = await stripe.cancelPaymentIntent(id: intentId, idempotencyKey: StripeKeys.cancelOrphan(createKey))
        let cancelled = if case .success = result { true } else { false }
        logger.notice("orphan intent cancelled", metadata: ["intent_id": "\(intentId)", "cancelled": "\(cancelled)"])
    }

    private func readBack(_ intentId: String, op: ClaimedOperation, after: AuthorizationDecision, reason: String) async -> AuthorizationDecision {
        logger.info("reading intent back", metadata: ["reason": "\(reason)"])
        switch await stripe.retrievePaymentIntent(id: intentId) {
        case .success(let intent):
            let next = AuthorizationDecision.afterReadBack(intent)
            // A saved 500, and the intent is still unconfirmed: nothing happened, and this key can only
            // replay the 500. The next claim confirms under the next key.
            if case .readBackReplayed = after, case .confirm = next { return .nextConfirmKey(reason: reason) }
            return next
        case .rejected(404, let error):
            // The processor has no such intent: it holds no money. Retrying would never heal.
            return .finish(.failed(.processingError, declineCode: error.code ?? "resource_missing", reference: intentId))
        case .unknown(let failure) where failure.isProtocolFault:
            return .protocolFault(reason: failure.message)
        default:
            return .retry(reason: "read-back failed after: \(reason)", freshCreateKey: false)
        }
    }

    private func finish(_ op: ClaimedOperation, _ outcome: AuthorizationOutcome) async throws(StoreError) {
        let (change, events) = outcome.record(for: op, at: Timestamp.now())
        let applied = try await database.finishOperation(op.lease, paymentId: op.paymentId, change: change, events: events, resolution: .done)
        logger.info("authorization settled", metadata: ["outcome": "\(outcome)", "applied": "\(applied)"])
    }

    private func retry(_ op: ClaimedOperation, reason: String, freshCreateKey: Bool) async throws(StoreError) {
        guard freshCreateKey else { return try await recorder.retry(op, reason: reason) }
        guard op.createAttempt + 1 < Self.createKeys else {
            return try await recorder.park(op, code: "create_keys_exhausted", reason: "\(Self.createKeys) create keys used; last: \(reason)")
        }
        try await recorder.retry(op, reason: reason, newCreateAttempt: op.createAttempt + 1)
    }
}
