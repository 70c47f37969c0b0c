import Logging
import Payments
import Store
import StripeGateway

/// Drives a capture or a void: one call on the intent by id with the operation's fixed key, settled by the
/// processor's answer or by reading the intent back; a refusal is recorded in `lastError` and the payment
/// keeps the state the processor reports.
struct IntentOperationRunner {
    let database: Database
    let stripe: any StripeAPI
    let owner: String
    let backoff: Backoff
    let logger: Logger

    func run(_ op: ClaimedOperation) async throws(StoreError) {
        let operation = op.kind == .capture ? "capture" : "void"
        switch op.payment.status {
        case .requested where op.kind == .void:
            // The authorization is still in flight: cancel once its intent is known.
            return try await database.reschedule(operationId: op.id, owner: owner, after: .milliseconds(250), error: nil)
        case .authorized:
            break
        default:
            // Settled by something else meanwhile (a webhook, a decline): nothing to send.
            try await database.finishOperation(id: op.id, paymentId: op.paymentId, change: PaymentChange(), events: [], resolution: .done)
            return
        }
        guard let intentId = op.payment.processorReference else {
            throw StoreError(.unexpectedResult, "an authorized payment without its intent")
        }
        guard try await database.recordDispatch(of: op, event: nil) else { return }
        let result = op.kind == .capture
            ? await stripe.capturePaymentIntent(id: intentId, amountToCapture: op.amount, idempotencyKey: StripeKeys.capture(op.idempotencyKey))
            : await stripe.cancelPaymentIntent(id: intentId, idempotencyKey: StripeKeys.cancel(op.idempotencyKey))
        var decision = IntentOperationDecision.afterCall(result)
        var lastError: PaymentError?
        if case .refused(let code, let message) = decision {
            lastError = PaymentError(operation: operation, code: code, message: message, at: Timestamp.now())
            decision = .readBack(reason: "\(operation) refused: \(code)")
        }
        if case .readBack(let reason) = decision {
            logger.info("reading intent back", metadata: ["reason": "\(reason)"])
            switch await stripe.retrievePaymentIntent(id: intentId) {
            case .success(let intent):
                if let state = IntentOperationDecision.settledState(intent) {
                    decision = .settled(state)
                } else if lastError != nil {
                    // Refused, and the intent is still where it was: the payment keeps its state.
                    return try await finish(op, change: PaymentChange(lastError: lastError), events: [], resolution: .failed)
                } else {
                    decision = .retry(reason: "intent \(intent.id) still \(intent.status.rawValue) after: \(reason)")
                }
            case .rejected where lastError != nil:
                // Refused, and the intent cannot be read either (it is not there): nothing will heal this.
                return try await finish(op, change: PaymentChange(lastError: lastError), events: [], resolution: .failed)
            default:
                decision = .retry(reason: "read-back failed after: \(reason)")
            }
        }
        switch decision {
        case .settled(let outcome):
            var (change, events) = outcome.record(for: op, at: Timestamp.now())
            change.lastError = lastError
            // `payment-succeeded` was written with the authorization; only the new fact is published.
            events.removeAll { $0.type == "payment-succeeded" }
            try await finish(op, change: change, events: events, resolution: lastError == nil ? .done : .failed)
        case .retry(let reason), .readBack(let reason):
            logger.notice("\(operation) will be retried", metadata: ["reason": "\(reason)", "attempt": "\(op.attempts)"])
            try await database.reschedule(operationId: op.id, owner: owner, after: backoff.delay(afterAttempt: op.attempts), error: reason)
        case .refused:
            break
        }
    }

    private func finish(_ op: ClaimedOperation, change: PaymentChange, events: [DomainEvent], resolution: OperationStatus) async throws(StoreError) {
        let applied = try await database.finishOperation(id: op.id, paymentId: op.paymentId, change: change, events: events, resolution: resolution)
        logger.info("\(op.kind.rawValue) settled", metadata: ["status": "\(change.status?.rawValue ?? "unchanged")", "applied": "\(applied)"])
    }
}
