import StripeModels

/// After a webhook said the processor moved on: reads the intent and its refunds back by id and records what
/// they say, through the same compare-and-set transitions as every other outcome. The refunds are recorded
/// first: ending the operation ends its lease, and the refunds are written under it.
public struct SyncStateMachine: OperationStateMachine {
    private enum State: Sendable, Equatable {
        case initial
        case reading
        case listing
        /// Looking up the local refund `current` names; `rest` follow.
        case finding(current: StripeRefund, rest: [StripeRefund])
        case recording(rest: [StripeRefund])
        /// Recording a refund made elsewhere; `foreign` holds the ones after it.
        case recordingForeign
        /// Cancelling a hold found on a payment that is already VOIDED or FAILED.
        case releasing
        case ended
    }

    private let op: ClaimedOperation
    private let now: @Sendable () -> String
    private var state = State.initial
    /// What the intent read back does to the payment, written when the refunds are recorded.
    private var change = PaymentChange()
    private var events: [DomainEvent] = []
    /// The intent's refunds with no `refund_id` of ours (made in the dashboard), recorded after ours.
    private var foreign: [StripeRefund] = []

    public init(_ op: ClaimedOperation, now: @escaping @Sendable () -> String) {
        self.op = op
        self.now = now
    }

    public mutating func start() -> OperationAction {
        guard let intentId = op.payment.processorReference else { return ended(op.nothingToDo) }
        state = .reading
        return .call(.retrieveIntent(id: intentId))
    }

    public mutating func answered(_ answer: ProcessorAnswer) -> OperationAction {
        switch (state, answer) {
        case (.reading, .intent(let result)): readBack(result)
        case (.listing, .refunds(let result)): listed(result)
        case (.releasing, .intent(.success)), (.releasing, .intent(.rejected)): finish()
        case (.releasing, .intent): ended(op.reschedule("the release of a stray hold failed"))
        default: .unexpected("answer")
        }
    }

    /// Refused for good (the intent is not there): a read-back nudge that can never succeed is dropped.
    /// Refunds exist only for a payment recorded CAPTURED; a change made by this very sync cannot have any.
    public mutating func readBack(_ result: StripeResult<StripePaymentIntent>) -> OperationAction {
        guard state == .reading, let intentId = op.payment.processorReference else { return .unexpected("readBack") }
        switch result {
        case .success(let intent):
            record(intent)
            if op.payment.status.isFinal, intent.status == .requiresCapture { return release(intent) }
            guard op.payment.status == .captured else { return finish() }
            state = .listing
            return .call(.listRefunds(intentId: intentId))
        case .rejected:
            return ended(op.nothingToDo)
        default:
            return ended(op.reschedule("read-back failed"))
        }
    }

    /// What the intent says, where it moves the payment forward, and what Radar says of its charge. A decline of
    /// a customer-present authorization is left to the authorization, which cancels the intent first: the client
    /// secret may be out, and the payment read at this claim may be older than its REQUIRES_ACTION.
    private mutating func record(_ intent: StripePaymentIntent) {
        let p = op.payment
        let decision = AuthorizationDecision.afterReadBack(
            intent, customerPresent: p.customerPresent, awaitingCustomer: p.status == .requiresAction || (p.customerPresent && p.status == .requested))
        let time = now()
        if case .finish(let outcome) = decision { (change, events) = outcome.record(for: op, at: time) }
        guard let risk = RiskFacts(intent) else { return }
        // The status's compare-and-set refuses the whole row: when it cannot move, Radar's word is written alone.
        if let next = change.status, !p.status.canMove(to: next) { (change, events) = (PaymentChange(), []) }
        risk.apply(to: &change, events: &events, known: p.review, op: op, at: time)
    }

    /// A customer's challenge that completed after the payment was voided or failed must not leave a hold.
    private mutating func release(_ intent: StripePaymentIntent) -> OperationAction {
        state = .releasing
        return .call(.cancelIntent(
            id: intent.id, idempotencyKey: StripeKeys.cancelAbandoned(op.idempotencyKey, attempt: op.attempts),
            reason: AuthenticationPolicy.abandonedReason))
    }

    /// A list that failed is asked again later: the webhook that queued this sync comes once, and the refund's
    /// own operation may have stopped watching it, so nothing else would read the change it announced. Unreadable
    /// lists count towards parking the sync; one refused for good ends it with what the intent said.
    public mutating func listed(_ result: StripeResult<[StripeRefund]>) -> OperationAction {
        guard state == .listing else { return .unexpected("listed") }
        switch result {
        case .success(let refunds):
            foreign = refunds.filter { $0.metadata["refund_id"] == nil }.reversed()
            return next(refunds.filter { $0.metadata["refund_id"] != nil })
        case .rejected: return finish()
        case .unknown(let failure) where failure.isProtocolFault: return ended(op.protocolFault(failure.message, at: now()))
        default: return ended(op.reschedule("refund list failed"))
        }
    }

    /// A refund of this service's whose processor status differs from the recorded one is recorded.
    public mutating func refundFound(_ local: Refund?) -> OperationAction {
        guard case .finding(let current, let rest) = state else { return .unexpected("refundFound") }
        guard let local, case .state(let status, let reference, let failureReason) = RefundDecision.state(of: current),
            status != local.status
        else { return next(rest) }
        state = .recording(rest: rest)
        let time = now()
        let event: DomainEvent = status == .processed
            ? .refundProcessed(refundId: local.refundId, paymentId: local.paymentId, amount: local.amount, currency: local.currency, processedAt: time)
            : .refundFailed(refundId: local.refundId, paymentId: local.paymentId, amount: local.amount, currency: local.currency,
                            reason: failureReason, failedAt: time)
        return .recordRefund(RefundRecord(
            refundId: local.refundId, status: status, processorReference: reference, failureReason: failureReason, events: [event]))
    }

    public mutating func refundRecorded() -> OperationAction {
        switch state {
        case .recording(let rest): return next(rest)
        case .recordingForeign: return nextForeign()
        default: return .unexpected("refundRecorded")
        }
    }

    private mutating func next(_ refunds: [StripeRefund]) -> OperationAction {
        guard let current = refunds.first, let refundId = current.metadata["refund_id"] else { return nextForeign() }
        state = .finding(current: current, rest: Array(refunds.dropFirst()))
        return .findRefund(id: refundId)
    }

    /// Oldest first, so their events come in the order they were made.
    private mutating func nextForeign() -> OperationAction {
        guard !foreign.isEmpty else { return finish() }
        state = .recordingForeign
        return .recordForeignRefund(ForeignRefund(foreign.removeFirst()))
    }

    private mutating func finish() -> OperationAction {
        ended(.finish(change, events: events, resolution: .done))
    }

    private mutating func ended(_ action: OperationAction) -> OperationAction {
        state = .ended
        return action
    }
}
