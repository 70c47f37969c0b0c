import Logging
import Payments
import Store
import StripeGateway
import Support

/// Drives a capture or a void: one call on the intent by id with the operation's key, settled by the
/// processor's answer or by reading the intent back; a refusal is recorded in `lastError`, the payment keeps
/// the state the processor reports, and the operation ends `failed` (asking again starts a new attempt, which
/// reads the intent back before it sends).
struct IntentOperationRunner {
    let database: Database
    let stripe: any StripeAPI
    let recorder: OperationRecorder
    let logger: Logger

    func run(_ op: ClaimedOperation) async throws(StoreError) {
        switch op.payment.status {
        case .requested where op.kind == .void:
            // The authorization is still in flight: cancel once its intent is known (backing off, since the
            // authorization may wait long: retried, or parked).
            return try await database.reschedule(op.lease, after: recorder.backoff.delay(afterAttempt: op.attempts), error: nil)
        case .authorized:
            break
        default:
            // Settled by something else meanwhile (a webhook, a decline): nothing to send.
            return try await recorder.done(op)
        }
        guard let intentId = op.payment.processorReference else {
            throw StoreError(.unexpectedResult, "an authorized payment without its intent")
        }
        if op.keyAttempt > 0 || op.attempts > 1, let decided = await readBackFirst(intentId) {
            return try await record(decided, op: op, intentId: intentId, lastError: nil)
        }
        guard try await database.recordDispatch(of: op, event: nil) else { return }
        let result = op.kind == .capture
            ? await stripe.capturePaymentIntent(
                id: intentId, amountToCapture: op.amount, idempotencyKey: StripeKeys.capture(op.idempotencyKey, attempt: op.keyAttempt))
            : await stripe.cancelPaymentIntent(id: intentId, idempotencyKey: StripeKeys.cancel(op.idempotencyKey, attempt: op.keyAttempt))
        try await record(IntentOperationDecision.afterCall(result), op: op, intentId: intentId, lastError: nil)
    }

    /// A new attempt, or a retry, first asks where the intent stands (status, `amount_capturable`): settled
    /// already, or unreadable, decides without a call; nil sends the call.
    private func readBackFirst(_ intentId: String) async -> IntentOperationDecision? {
        guard case .success(let intent) = await stripe.retrievePaymentIntent(id: intentId) else { return nil }
        if let decided = IntentOperationDecision.afterReadBack(intent) { return decided }
        if intent.status == .requiresCapture, intent.amountCapturable == nil {
            return .protocolFault(reason: "intent \(intent.id) (requires_capture) lacks `amount_capturable`")
        }
        return nil
    }

    private func record(
        _ decision: IntentOperationDecision, op: ClaimedOperation, intentId: String, lastError: PaymentError?
    ) async throws(StoreError) {
        switch decision {
        case .readBack(let reason), .readBackReplayed(let reason):
            let next = await readBack(intentId, after: decision, reason: reason, refused: lastError != nil)
            guard case .readBack = next else { return try await record(next, op: op, intentId: intentId, lastError: lastError) }
            // Refused, and the intent is still where it was (or cannot be read): the payment keeps its state.
            try await finish(op, change: PaymentChange(lastError: lastError), events: [], resolution: .failed)
        case .settled(let outcome):
            try await settle(op, outcome, lastError: lastError)
        case .retry(let reason):
            try await recorder.retry(op, reason: reason)
        case .nextKey(let reason):
            try await recorder.retry(op, reason: "saved 500, intent unchanged: \(reason)", newKeyAttempt: op.keyAttempt + 1)
        case .refused(let code, let message):
            // Kept in `lastError`; the intent read back says where the payment stands.
            let refusal = PaymentError(operation: op.kind.rawValue, code: code, message: message, at: Timestamp.now())
            try await record(.readBack(reason: "\(op.kind.rawValue) refused: \(code)"), op: op, intentId: intentId, lastError: refusal)
        case .protocolFault(let reason):
            try await recorder.protocolFault(op, reason: reason)
        }
    }

    private func settle(_ op: ClaimedOperation, _ outcome: AuthorizationOutcome, lastError: PaymentError?) async throws(StoreError) {
        var (change, events) = outcome.record(for: op, at: Timestamp.now())
        change.lastError = lastError
        if lastError == nil, outcome.isOutcome(of: op.kind) { change.succeeded = op.kind.rawValue }
        // `payment-succeeded` was written with the authorization; only the new fact is published.
        events.removeAll { $0.type == "payment-succeeded" }
        try await finish(op, change: change, events: events, resolution: lastError == nil ? .done : .failed)
    }

    /// What reading the intent back decides. `.readBack` comes back only for a refusal whose intent is still
    /// `requires_capture` or cannot be read: the refusal stands. A saved 500 whose intent is unchanged moves
    /// the operation to its next key.
    private func readBack(_ intentId: String, after: IntentOperationDecision, reason: String, refused: Bool) async -> IntentOperationDecision {
        logger.info("reading intent back", metadata: ["reason": "\(reason)"])
        switch await stripe.retrievePaymentIntent(id: intentId) {
        case .success(let intent):
            if let decided = IntentOperationDecision.afterReadBack(intent) { return decided }
            if refused { return .readBack(reason: reason) }
            if case .readBackReplayed = after { return .nextKey(reason: reason) }
            return .retry(reason: "intent \(intent.id) still \(intent.status.rawValue) after: \(reason)")
        case .rejected where refused:
            return .readBack(reason: reason)
        case .unknown(let failure) where failure.isProtocolFault:
            return .protocolFault(reason: failure.message)
        default:
            return .retry(reason: "read-back failed after: \(reason)")
        }
    }

    private func finish(_ op: ClaimedOperation, change: PaymentChange, events: [DomainEvent], resolution: OperationStatus) async throws(StoreError) {
        let applied = try await database.finishOperation(op.lease, paymentId: op.paymentId, change: change, events: events, resolution: resolution)
        logger.info("\(op.kind.rawValue) settled", metadata: ["status": "\(change.status?.rawValue ?? "unchanged")", "applied": "\(applied)"])
    }
}
