import StripeModels

/// One claim of an authorization: record the dispatch, create the intent unconfirmed and record its id,
/// confirm it by id, and record the outcome, settling any unknown answer by reading the intent back
/// (`architecture.md`, steps 3 to 5). Only the recorded intent is ever confirmed, and a reference is never
/// replaced: a created intent that is not the recorded one is cancelled (it is unconfirmed and holds no money).
///
/// A customer-present payment is confirmed on session; when the card needs 3-D Secure the claim records
/// REQUIRES_ACTION and the operation stays queued. Each later claim reads the intent back (every
/// `AuthenticationPolicy.recheck`, or at once on a webhook) until the customer is done; a failed or abandoned
/// authentication cancels the intent before the payment fails, so no one can confirm it again.
public struct AuthorizationStateMachine: OperationStateMachine {
    private enum State: Sendable, Equatable {
        case initial
        case dispatching
        case creating(key: String)
        case searching(key: String, reason: String)
        case recording(created: String, key: String)
        /// The recorded intent is another: the created one is being cancelled, then `recorded` is read back.
        case cancellingOrphan(recorded: String)
        /// The lease was lost while recording `created`: which intent did the later claim record?
        case readingRecorded(created: String, key: String)
        case cancellingOrphanAfterLeaseLost
        case confirming(intentId: String, stepsLeft: Int)
        case readingBack(after: AuthorizationDecision, reason: String, stepsLeft: Int)
        /// Cancelling the intent of an authentication given up on.
        case abandoning(AbandonedAuthentication, stepsLeft: Int)
        /// A decline whose charge came unexpanded: the intent is read once more, expanded, for Radar's word.
        case readingRisk(AuthorizationOutcome)
        case ended
    }

    /// Create keys per payment (a key moves on only when it replays a saved 500 and no intent is found): then parked.
    public static let createKeys = 3
    /// Decisions one claim makes at most: confirm, read back, confirm again (the read-back said it never ran), read back.
    static let steps = 4

    private let op: ClaimedOperation
    /// How long the processor's search may lag behind a create (`STRIPE_SEARCH_LAG`).
    private let searchLag: Duration
    private let authentication: AuthenticationPolicy
    private let now: @Sendable () -> String
    private var state = State.initial
    /// The intent this claim works on: the recorded one, or the one it just created and recorded.
    private var intentId: String?
    /// The last intent the processor answered with: its expanded charge carries Radar's word.
    private var lastIntent: StripePaymentIntent?

    public init(
        _ op: ClaimedOperation, searchLag: Duration, authentication: AuthenticationPolicy = AuthenticationPolicy(),
        now: @escaping @Sendable () -> String
    ) {
        self.op = op
        self.searchLag = searchLag
        self.authentication = authentication
        self.now = now
        intentId = op.payment.processorReference
    }

    public mutating func start() -> OperationAction {
        if op.payment.status == .requiresAction { return decide(.readBack(reason: "waiting for the customer's authentication")) }
        guard op.payment.status == .requested else { return ended(op.nothingToDo) }
        guard op.dispatched else {
            state = .dispatching
            return .recordDispatch(Self.requested(op.paymentId, op.payment, at: now()))
        }
        return begin()
    }

    /// The `payment-requested` event its dispatch is recorded with: by the first claim, or by the intake's
    /// commit when the authorization is born leased (`QueuedOperation.claimed`).
    public static func requested(_ paymentId: String, _ payment: PaymentContext, at requestedAt: String) -> DomainEvent {
        .paymentRequested(
            paymentId: paymentId, orderId: payment.orderId, customerId: payment.customerId, amount: payment.amount,
            currency: payment.currency, requestedAt: requestedAt)
    }

    public mutating func dispatchRecorded(stillWanted: Bool) -> OperationAction {
        guard state == .dispatching else { return .unexpected("dispatchRecorded") }
        return stillWanted ? begin() : ended(.end(reason: "the authorization is no longer wanted"))
    }

    public mutating func answered(_ answer: ProcessorAnswer) -> OperationAction {
        switch (state, answer) {
        case (.creating, .intent(let result)): created(result)
        case (.searching, .intents(let result)): searched(result)
        case (.confirming, .intent(let result)): confirmed(result)
        case (.readingBack, .intent(let result)): readBack(result)
        case (.cancellingOrphan, .intent), (.cancellingOrphanAfterLeaseLost, .intent): orphanCancelled()
        case (.abandoning, .intent(let result)): abandoned(result)
        case (.readingRisk(let outcome), .intent(let result)): riskRead(result, outcome)
        default: .unexpected("answer")
        }
    }

    /// A create's answer: an intent to record, a search for the one a replayed 500 hides, or a decision.
    public mutating func created(_ result: StripeResult<StripePaymentIntent>) -> OperationAction {
        guard case .creating(let key) = state else { return .unexpected("created") }
        let decision = AuthorizationDecision.afterCreate(result)
        if case .findCreated(let reason) = decision {
            state = .searching(key: key, reason: reason)
            return .call(.searchIntents(paymentId: op.paymentId))
        }
        return record(decision, createKey: key)
    }

    public mutating func searched(_ result: StripeResult<[StripePaymentIntent]>) -> OperationAction {
        guard case .searching(let key, let reason) = state else { return .unexpected("searched") }
        guard case .success(let found) = result else {
            return decide(.retry(reason: "search failed after: \(reason)", freshCreateKey: false))
        }
        let decision = AuthorizationDecision.afterSearch(
            found, paymentId: op.paymentId, sinceDispatch: op.sinceDispatch, searchLag: searchLag, reason: reason)
        return record(decision, createKey: key)
    }

    public mutating func referenceRecorded(_ recorded: String) -> OperationAction {
        guard case .recording(let created, let key) = state else { return .unexpected("referenceRecorded") }
        intentId = recorded
        guard recorded == created else {
            state = .cancellingOrphan(recorded: recorded)
            return .call(.cancelIntent(id: created, idempotencyKey: StripeKeys.cancelOrphan(key)))
        }
        return decide(.confirm(intentId: created))
    }

    /// A runner whose lease was taken over cancels its created intent only when a different one is on record:
    /// otherwise the claim that took over may use the same create key, and so this very intent.
    public mutating func leaseLost() -> OperationAction {
        guard case .recording(let created, let key) = state else { return ended(.end(reason: OperationAction.leaseTakenOver)) }
        state = .readingRecorded(created: created, key: key)
        return .readRecordedReference
    }

    public mutating func recordedReferenceRead(_ recorded: String?) -> OperationAction {
        guard case .readingRecorded(let created, let key) = state else { return .unexpected("recordedReferenceRead") }
        guard let recorded, recorded != created else {
            // Left unconfirmed, and found by its `metadata.payment_id`.
            return ended(.end(reason: "lease taken over after a create: intent \(created) left unconfirmed"))
        }
        state = .cancellingOrphanAfterLeaseLost
        return .call(.cancelIntent(id: created, idempotencyKey: StripeKeys.cancelOrphan(key)))
    }

    public mutating func confirmed(_ result: StripeResult<StripePaymentIntent>) -> OperationAction {
        guard case .confirming(let intentId, _) = state else { return .unexpected("confirmed") }
        remember(result)
        return decide(AuthorizationDecision.afterConfirm(result, intentId: intentId, customerPresent: op.payment.customerPresent))
    }

    /// What the intent read back by id decides. A saved 500 whose intent is still unconfirmed means nothing
    /// happened, and the key can only replay the 500: the next claim confirms under the next key.
    public mutating func readBack(_ result: StripeResult<StripePaymentIntent>) -> OperationAction {
        guard case .readingBack(let after, let reason, _) = state else { return .unexpected("readBack") }
        switch result {
        case .success(let intent):
            remember(result)
            let next = AuthorizationDecision.afterReadBack(
                intent, customerPresent: op.payment.customerPresent, awaitingCustomer: op.payment.status == .requiresAction)
            if case .readBackReplayed = after, case .confirm = next { return decide(.nextConfirmKey(reason: reason)) }
            return decide(next)
        case .rejected(404, let error):
            // The processor has no such intent: it holds no money. Retrying would never heal.
            return decide(.finish(.failed(.processingError, declineCode: error.code ?? "resource_missing", reference: intentId)))
        case .unknown(let failure) where failure.isProtocolFault:
            return decide(.protocolFault(reason: failure.message))
        default:
            return decide(.retry(reason: "read-back failed after: \(reason)", freshCreateKey: false))
        }
    }

    /// The cancel of an abandoned authentication: cancelled, the payment fails; anything else (the customer
    /// finished first, or the answer is unknown) is settled by reading the intent back.
    public mutating func abandoned(_ result: StripeResult<StripePaymentIntent>) -> OperationAction {
        guard case .abandoning(let why, _) = state else { return .unexpected("abandoned") }
        switch result {
        case .success(let intent) where intent.status == .canceled:
            remember(result)
            return decide(.finish(why.outcome(reference: intent.id)))
        case .retryable(let failure):
            return decide(.retry(reason: "cancel of an abandoned authentication: \(failure.description)", freshCreateKey: false))
        default:
            return decide(.readBack(reason: "cancel of an abandoned authentication did not cancel"))
        }
    }

    /// Only an answer that carries the expanded charge replaces what Radar said (a cancel's answer does not).
    private mutating func remember(_ result: StripeResult<StripePaymentIntent>) {
        switch result {
        case .success(let intent) where intent.charge != nil || lastIntent?.charge == nil, .declined(_, .some(let intent)):
            lastIntent = intent
        default: break
        }
    }

    private mutating func orphanCancelled() -> OperationAction {
        guard case .cancellingOrphan(let recorded) = state else {
            return ended(.end(reason: "lease taken over after a create: the created intent was cancelled"))
        }
        return decide(.readBack(reason: "intent \(recorded) was recorded first"))
    }

    /// A recorded intent is confirmed (a retry asks where it stands first: a confirm under the same key would
    /// only replay the saved answer); without one, the intent is created under this create attempt's key.
    private mutating func begin() -> OperationAction {
        if let known = intentId {
            return decide(op.attempts > 1 ? .readBack(reason: "retrying attempt \(op.attempts)") : .confirm(intentId: known))
        }
        let key = StripeKeys.create(op.idempotencyKey, attempt: op.createAttempt)
        state = .creating(key: key)
        let payment = op.payment
        let params = CreatePaymentIntentParams(
            amount: payment.amount, currency: payment.currency, captureMethod: payment.capture.rawValue,
            metadata: payment.metadata.merging(["payment_id": op.paymentId, "order_id": payment.orderId]) { _, new in new })
        return .call(.createIntent(params, idempotencyKey: key))
    }

    /// A created (or found) intent is recorded before anything confirms it.
    private mutating func record(_ decision: AuthorizationDecision, createKey: String) -> OperationAction {
        guard case .confirm(let created) = decision else { return decide(decision) }
        state = .recording(created: created, key: createKey)
        return .recordReference(created)
    }

    private mutating func decide(_ decision: AuthorizationDecision) -> OperationAction {
        let stepsLeft = stepsLeft
        guard stepsLeft > 0 else { return retry("no decision after several calls", freshCreateKey: false) }
        switch decision {
        case .confirm(let intentId):
            state = .confirming(intentId: intentId, stepsLeft: stepsLeft - 1)
            return .call(.confirmIntent(
                id: intentId, paymentMethod: op.payment.paymentMethod, offSession: !op.payment.customerPresent,
                idempotencyKey: StripeKeys.confirm(op.idempotencyKey, attempt: op.keyAttempt)))
        case .readBack(let reason), .readBackReplayed(let reason), .findCreated(let reason):
            guard let intentId else { return retry(reason, freshCreateKey: false) }
            state = .readingBack(after: decision, reason: reason, stepsLeft: stepsLeft - 1)
            return .call(.retrieveIntent(id: intentId))
        case .finish(let outcome):
            return finish(outcome)
        case .awaitCustomer(let next):
            return awaitCustomer(next)
        case .abandon(let why):
            guard let intentId else { return retry("no intent to cancel", freshCreateKey: false) }
            state = .abandoning(why, stepsLeft: stepsLeft - 1)
            return .call(.cancelIntent(
                id: intentId, idempotencyKey: StripeKeys.cancelAbandoned(op.idempotencyKey, attempt: op.attempts),
                reason: AuthenticationPolicy.abandonedReason))
        case .protocolFault where op.payment.status == .requiresAction:
            // Never parked while the customer may still answer: the time-out always comes, and cancels.
            return awaitCustomer(nil)
        default:
            return ended(later(decision))
        }
    }

    /// The decisions that end this claim without a write of the outcome: another attempt later, or a fault.
    private mutating func later(_ decision: AuthorizationDecision) -> OperationAction {
        switch decision {
        case .retry(let reason, let fresh): retry(reason, freshCreateKey: fresh)
        case .nextConfirmKey(let reason): op.reschedule("saved 500, intent unconfirmed: \(reason)", newKeyAttempt: op.keyAttempt + 1)
        case .protocolFault(let reason): op.protocolFault(reason, at: now())
        default: .unexpected("decision")
        }
    }

    /// The outcome, with what Radar said of the charge the last answer carried (read once more for a decline
    /// whose charge came unexpanded).
    private mutating func finish(_ outcome: AuthorizationOutcome) -> OperationAction {
        if case .failed(_, _, .some(let intentId)) = outcome, lastIntent?.latestCharge != nil, lastIntent?.charge == nil {
            state = .readingRisk(outcome)
            return .call(.retrieveIntent(id: intentId))
        }
        return written(outcome)
    }

    /// Whatever the read says, the decline stands: only Radar's word is taken from it.
    private mutating func riskRead(_ result: StripeResult<StripePaymentIntent>, _ outcome: AuthorizationOutcome) -> OperationAction {
        if case .success(let intent) = result, intent.charge != nil { lastIntent = intent }
        return written(outcome)
    }

    /// The outcome, with what Radar said of the charge.
    private mutating func written(_ outcome: AuthorizationOutcome) -> OperationAction {
        let time = now()
        var (change, events) = outcome.record(for: op, at: time)
        RiskFacts(lastIntent)?.apply(to: &change, events: &events, known: op.payment.review, op: op, at: time)
        return ended(.finish(change, events: events, resolution: .done))
    }

    /// The first time, REQUIRES_ACTION is recorded with `payment-action-required`; then the operation waits for
    /// the customer until `AUTHENTICATION_TIMEOUT` has passed since, and gives up.
    /// `next` nil: an unreadable answer while REQUIRES_ACTION, only ever waited on (never parked).
    private mutating func awaitCustomer(_ next: NextAction?) -> OperationAction {
        let age = op.payment.actionAge ?? .zero
        guard age < authentication.timeout else { return decide(.abandon(.timedOut)) }
        let recheck = min(authentication.recheck, authentication.timeout - age)
        guard op.payment.status == .requested, let next else {
            return ended(.awaitCustomer(PaymentChange(), events: [], recheckAfter: recheck))
        }
        let time = now()
        let p = op.payment
        let change = PaymentChange(status: .requiresAction, processorReference: intentId, nextAction: next)
        let event = DomainEvent.paymentActionRequired(
            paymentId: op.paymentId, orderId: p.orderId, amount: p.amount, currency: p.currency, actionType: next.type, requiredAt: time)
        return ended(.awaitCustomer(change, events: [event], recheckAfter: recheck))
    }

    private var stepsLeft: Int {
        switch state {
        case .confirming(_, let left), .readingBack(_, _, let left), .abandoning(_, let left): left
        default: Self.steps
        }
    }

    /// `freshCreateKey` moves the create to its next key, while keys are left; then the payment is parked.
    private mutating func retry(_ reason: String, freshCreateKey: Bool) -> OperationAction {
        guard freshCreateKey else { return ended(op.reschedule(reason)) }
        guard op.createAttempt + 1 < Self.createKeys else {
            return ended(op.park(code: "create_keys_exhausted", reason: "\(Self.createKeys) create keys used; last: \(reason)", at: now()))
        }
        return ended(op.reschedule(reason, newCreateAttempt: op.createAttempt + 1))
    }

    private mutating func ended(_ action: OperationAction) -> OperationAction {
        state = .ended
        return action
    }
}
