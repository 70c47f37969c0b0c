import StripeModels

/// One claim of a capture or a void: one call on the intent by id with the operation's key, settled by the
/// processor's answer or by reading the intent back. A refusal is recorded in `lastError`, the payment keeps
/// the state the processor reports, and the operation ends `failed` (asking again starts a new attempt, which
/// reads the intent back before it sends).
public struct CaptureVoidStateMachine: OperationStateMachine {
    private enum State: Sendable, Equatable {
        case initial
        /// A new attempt, or a retry, first asks where the intent stands.
        case readingFirst
        case dispatching
        case sending
        /// `refusal`: the processor refused the call; the intent read back says where the payment stands.
        case readingBack(after: CaptureVoidDecision, reason: String, refusal: PaymentError?)
        case ended
    }

    private let op: ClaimedOperation
    private let now: @Sendable () -> String
    private var state = State.initial
    private var intentId = ""

    public init(_ op: ClaimedOperation, now: @escaping @Sendable () -> String) {
        self.op = op
        self.now = now
    }

    public mutating func start() -> OperationAction {
        switch op.payment.status {
        case .requested where op.kind == .void:
            // The authorization is still in flight: cancel once its intent is known (backing off, since the
            // authorization may wait long: retried, or parked).
            return ended(.reschedule(Reschedule(reason: nil)))
        case .authorized:
            break
        case .requiresAction where op.kind == .void:
            // The customer is authenticating: the cancel ends it (or, if the customer finished first, releases the hold).
            break
        default:
            // Settled by something else meanwhile (a webhook, a decline): nothing to send.
            return ended(op.nothingToDo)
        }
        guard let intentId = op.payment.processorReference else {
            return ended(op.reschedule("an authorized payment without its intent"))
        }
        self.intentId = intentId
        guard op.keyAttempt > 0 || op.attempts > 1 else { return dispatch() }
        state = .readingFirst
        return .call(.retrieveIntent(id: intentId))
    }

    public mutating func dispatchRecorded(stillWanted: Bool) -> OperationAction {
        guard state == .dispatching else { return .unexpected("dispatchRecorded") }
        guard stillWanted else { return ended(.end(reason: "the \(op.kind.rawValue) is no longer wanted")) }
        state = .sending
        return .call(op.kind == .capture
            ? .captureIntent(id: intentId, amount: op.amount, idempotencyKey: StripeKeys.capture(op.idempotencyKey, attempt: op.keyAttempt))
            : .cancelIntent(id: intentId, idempotencyKey: StripeKeys.cancel(op.idempotencyKey, attempt: op.keyAttempt)))
    }

    public mutating func answered(_ answer: ProcessorAnswer) -> OperationAction {
        guard case .intent(let result) = answer else { return .unexpected("answer") }
        switch state {
        case .readingFirst: return readFirst(result)
        case .sending: return sent(result)
        case .readingBack: return readBack(result)
        default: return .unexpected("answer")
        }
    }

    /// Settled already, or unreadable, decides without a call; otherwise the call is sent.
    public mutating func readFirst(_ result: StripeResult<StripePaymentIntent>) -> OperationAction {
        guard state == .readingFirst else { return .unexpected("readFirst") }
        guard case .success(let intent) = result else { return dispatch() }
        if let decided = CaptureVoidDecision.afterReadBack(intent) { return decide(decided) }
        if intent.status == .requiresCapture, intent.amountCapturable == nil {
            return decide(.protocolFault(reason: "intent \(intent.id) (requires_capture) lacks `amount_capturable`"))
        }
        return dispatch()
    }

    public mutating func sent(_ result: StripeResult<StripePaymentIntent>) -> OperationAction {
        guard state == .sending else { return .unexpected("sent") }
        return decide(CaptureVoidDecision.afterCall(result))
    }

    /// The processor refused for good: kept in `lastError`, and the intent read back says where the payment stands.
    public mutating func refused(code: String, message: String) -> OperationAction {
        let refusal = PaymentError(operation: op.kind.rawValue, code: code, message: message, at: now())
        state = .readingBack(after: .refused(code: code, message: message), reason: "\(op.kind.rawValue) refused: \(code)", refusal: refusal)
        return .call(.retrieveIntent(id: intentId))
    }

    /// What reading the intent back decides. After a refusal, an intent still `requires_capture` (or one that
    /// cannot be read) means the refusal stands. A saved 500 whose intent is unchanged moves to the next key.
    public mutating func readBack(_ result: StripeResult<StripePaymentIntent>) -> OperationAction {
        guard case .readingBack(let after, let reason, let refusal) = state else { return .unexpected("readBack") }
        switch result {
        case .success(let intent):
            if let decided = CaptureVoidDecision.afterReadBack(intent) { return decide(decided, refusal: refusal) }
            if let refusal { return refusalStands(refusal) }
            if case .readBackReplayed = after { return decide(.nextKey(reason: reason)) }
            return decide(.retry(reason: "intent \(intent.id) still \(intent.status.rawValue) after: \(reason)"))
        case .rejected where refusal != nil:
            return refusalStands(refusal)
        case .unknown(let failure) where failure.isProtocolFault:
            return decide(.protocolFault(reason: failure.message))
        default:
            return decide(.retry(reason: "read-back failed after: \(reason)"))
        }
    }

    private mutating func dispatch() -> OperationAction {
        state = .dispatching
        return .recordDispatch(nil)
    }

    private mutating func decide(_ decision: CaptureVoidDecision, refusal: PaymentError? = nil) -> OperationAction {
        switch decision {
        case .readBack(let reason), .readBackReplayed(let reason):
            state = .readingBack(after: decision, reason: reason, refusal: refusal)
            return .call(.retrieveIntent(id: intentId))
        case .settled(let outcome):
            return settle(outcome, refusal: refusal)
        case .retry(let reason):
            return ended(op.reschedule(reason))
        case .nextKey(let reason):
            return ended(op.reschedule("saved 500, intent unchanged: \(reason)", newKeyAttempt: op.keyAttempt + 1))
        case .refused(let code, let message):
            return refused(code: code, message: message)
        case .protocolFault(let reason):
            return ended(op.protocolFault(reason, at: now()))
        }
    }

    /// The final state the processor holds. `payment-succeeded` was written with the authorization: only the
    /// new fact is published, unless the void met a payment still REQUIRES_ACTION that the customer completed
    /// first. A success of what was asked clears the `lastError` an earlier refusal of it left.
    private mutating func settle(_ outcome: AuthorizationOutcome, refusal: PaymentError?) -> OperationAction {
        let refusal = refusal ?? chargedBeforeTheVoid(outcome)
        var (change, events) = outcome.record(for: op, at: now(), announcingSuccess: op.payment.status.isAuthorizing)
        change.lastError = refusal
        if refusal == nil, outcome.isOutcome(of: op.kind) { change.succeeded = op.kind.rawValue }
        return ended(.finish(change, events: events, resolution: refusal == nil ? .done : .failed))
    }

    /// A void that finds the money taken (the customer's challenge charged it first) is refused: refund it instead.
    private func chargedBeforeTheVoid(_ outcome: AuthorizationOutcome) -> PaymentError? {
        guard op.kind == .void, case .captured = outcome else { return nil }
        return PaymentError(
            operation: op.kind.rawValue, code: "payment_intent_unexpected_state",
            message: "the payment was charged before the void could cancel it: refund it instead", at: now())
    }

    private mutating func refusalStands(_ refusal: PaymentError?) -> OperationAction {
        ended(.finish(PaymentChange(lastError: refusal), events: [], resolution: .failed))
    }

    private mutating func ended(_ action: OperationAction) -> OperationAction {
        state = .ended
        return action
    }
}
