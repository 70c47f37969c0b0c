@testable import Payments
import StripeModels
import Testing

/// A customer-present authorization: confirmed on session, REQUIRES_ACTION while the customer authenticates,
/// read back until they are done, and its intent cancelled before the payment fails. Also what a void, a sync
/// and Radar's word do to such a payment.
@Suite struct CustomerActionTests {
    typealias F = OperationFixtures
    static let policy = AuthenticationPolicy(timeout: .seconds(900), recheck: .seconds(30))
    static let next = NextAction(type: "use_stripe_sdk", clientSecret: "\(F.intentId)_secret_abc")

    static func present(_ status: PaymentStatus = .requested, actionAge: Duration? = nil, attempts: Int = 1) -> ClaimedOperation {
        var op = F.claim(.authorize, status: status, reference: status == .requested ? nil : F.intentId, attempts: attempts, dispatched: true)
        op.payment.customerPresent = true
        op.payment.actionAge = actionAge
        return op
    }

    static func waiting(_ captureMethod: String = "manual") -> StripePaymentIntent {
        var intent = F.intent(.requiresAction, captureMethod: captureMethod)
        intent.nextActionType = next.type
        intent.clientSecret = next.clientSecret
        return intent
    }

    static func machine(_ op: ClaimedOperation) -> AuthorizationStateMachine {
        AuthorizationStateMachine(op, searchLag: .seconds(60), authentication: policy, now: F.now)
    }

    /// A machine on a payment already REQUIRES_ACTION, past its read-back call.
    static func readingBack(age: Duration) -> AuthorizationStateMachine {
        var machine = machine(present(.requiresAction, actionAge: age, attempts: 3))
        #expect(machine.start() == .call(.retrieveIntent(id: F.intentId)))
        return machine
    }

    /// The cancel of the claim `readingBack` makes (its third).
    static let abandon = OperationAction.call(.cancelIntent(
        id: F.intentId, idempotencyKey: StripeKeys.cancelAbandoned(F.paymentId, attempt: 3), reason: "abandoned"))

    @Test("the confirm goes on session, and requires_action records REQUIRES_ACTION with payment-action-required, the op waiting")
    func confirmOnSession() {
        var machine = Self.machine(Self.present())
        _ = machine.start()
        _ = machine.created(.success(F.intent(.requiresPaymentMethod)))
        let confirm = machine.referenceRecorded(F.intentId)
        guard case .call(.confirmIntent(_, _, let offSession, _)) = confirm else {
            Issue.record("no confirm: \(confirm)")
            return
        }
        #expect(!offSession)
        guard case .awaitCustomer(let change, let events, let recheck) = machine.confirmed(.success(Self.waiting())) else {
            Issue.record("not waiting for the customer")
            return
        }
        #expect(change.status == .requiresAction && change.nextAction == Self.next)
        #expect(recheck == .seconds(30))
        #expect(events == [.paymentActionRequired(
            paymentId: F.paymentId, orderId: F.orderId, amount: 4999, currency: "EUR", actionType: "use_stripe_sdk", requiredAt: F.time)])
        #expect(!events[0].dataJSON.contains("secret"), "the client secret never goes into an event")
    }

    @Test("off session (no customerPresent) the confirm says off_session, and requires_action is the old decline")
    func offSessionIsUnchanged() {
        var op = F.claim(.authorize, reference: F.intentId, dispatched: true)
        op.payment.processorReference = F.intentId
        var machine = Self.machine(op)
        guard case .call(.confirmIntent(_, _, true, _)) = machine.start() else {
            Issue.record("not off session")
            return
        }
        let change = F.finish(machine.confirmed(.success(Self.waiting())))?.change
        #expect(change?.status == .failed && change?.declineCode == "authentication_required")
    }

    @Test("still waiting: the next read-back comes after the recheck, or when the time-out is due, whichever is first")
    func stillWaiting() {
        var early = Self.readingBack(age: .seconds(10))
        #expect(early.readBack(.success(Self.waiting())) == .awaitCustomer(PaymentChange(), events: [], recheckAfter: .seconds(30)))
        var late = Self.readingBack(age: .seconds(890))
        #expect(late.readBack(.success(Self.waiting())) == .awaitCustomer(PaymentChange(), events: [], recheckAfter: .seconds(10)))
    }

    @Test("past AUTHENTICATION_TIMEOUT the intent is cancelled (abandoned) and the payment fails authentication_abandoned")
    func abandonedAfterTheTimeout() throws {
        var machine = Self.readingBack(age: .seconds(900))
        #expect(machine.readBack(.success(Self.waiting())) == Self.abandon)
        var cancelled = F.intent(.canceled)
        cancelled.cancellationReason = "abandoned"
        let finish = try #require(F.finish(machine.answered(.intent(.success(cancelled)))))
        #expect(finish.change.status == .failed && finish.change.failureReason == .cardDeclined)
        #expect(finish.change.declineCode == "authentication_abandoned")
        #expect(finish.events.map(\.type) == ["payment-failed"])
    }

    @Test("a failed challenge leaves the intent confirmable: it is cancelled, then FAILED payment_intent_authentication_failure")
    func failedChallenge() throws {
        var machine = Self.readingBack(age: .seconds(40))
        let failed = F.intent(.requiresPaymentMethod, error: F.cardError(nil, code: "payment_intent_authentication_failure"))
        #expect(machine.readBack(.success(failed)) == Self.abandon)
        let finish = try #require(F.finish(machine.answered(.intent(.success(F.intent(.canceled))))))
        #expect(finish.change.status == .failed && finish.change.declineCode == "payment_intent_authentication_failure")
        #expect(finish.change.failureReason == .cardDeclined)
    }

    @Test("the customer finished first: the cancel is refused, and the read-back records the hold")
    func customerWinsTheRaceWithTheTimeout() throws {
        var machine = Self.readingBack(age: .seconds(901))
        #expect(machine.readBack(.success(Self.waiting())) == Self.abandon)
        let refused = StripeResult<StripePaymentIntent>.rejected(status: 400, F.requestError("payment_intent_unexpected_state"))
        #expect(machine.answered(.intent(refused)) == .call(.retrieveIntent(id: F.intentId)))
        let finish = try #require(F.finish(machine.answered(.intent(.success(F.intent(.requiresCapture, capturable: 4999))))))
        #expect(finish.change.status == .authorized)
        #expect(finish.events.map(\.type) == ["payment-succeeded"])
    }

    @Test("a cancel whose answer was lost is read back: cancelled as abandoned, the payment fails")
    func lostCancelAnswer() throws {
        var machine = Self.readingBack(age: .seconds(901))
        _ = machine.readBack(.success(Self.waiting()))
        #expect(machine.answered(.intent(.unknown(F.timedOut))) == .call(.retrieveIntent(id: F.intentId)))
        var cancelled = F.intent(.canceled)
        cancelled.cancellationReason = "abandoned"
        let finish = try #require(F.finish(machine.answered(.intent(.success(cancelled)))))
        #expect(finish.change.status == .failed && finish.change.declineCode == "authentication_abandoned")
    }

    @Test("a challenge completed to a hold or a charge records AUTHORIZED or CAPTURED, announced")
    func completed() throws {
        var held = Self.readingBack(age: .seconds(5))
        let authorized = try #require(F.finish(held.readBack(.success(F.intent(.requiresCapture, capturable: 4999)))))
        #expect(authorized.change.status == .authorized)
        var charged = Self.readingBack(age: .seconds(5))
        let captured = try #require(F.finish(charged.readBack(.success(F.intent(.succeeded, received: 4999, captureMethod: "automatic")))))
        #expect(captured.change.status == .captured && captured.events.map(\.type) == ["payment-succeeded", "payment-captured"])
    }

    @Test("a void of a REQUIRES_ACTION payment cancels the intent; if the customer charged it first, the void is refused, CAPTURED announced")
    func voidDuringAuthentication() throws {
        var op = F.claim(.void, status: .requiresAction, reference: F.intentId)
        op.payment.capture = .automatic
        var machine = CaptureVoidStateMachine(op, now: F.now)
        #expect(machine.start() == .recordDispatch(nil))
        #expect(machine.dispatchRecorded(stillWanted: true) == .call(.cancelIntent(id: F.intentId, idempotencyKey: StripeKeys.cancel(op.idempotencyKey))))
        let refused = StripeResult<StripePaymentIntent>.rejected(status: 400, F.requestError("payment_intent_unexpected_state"))
        #expect(machine.sent(refused) == .call(.retrieveIntent(id: F.intentId)))
        let finish = try #require(F.finish(machine.readBack(.success(F.intent(.succeeded, received: 4999, captureMethod: "automatic")))))
        #expect(finish.change.status == .captured && finish.change.lastError?.operation == "void")
        #expect(finish.events.map(\.type) == ["payment-succeeded", "payment-captured"])
        #expect(finish.resolution == .failed)
    }

    @Test("lifecycle: a void during REQUIRES_ACTION is queued in either capture mode; a capture is a conflict")
    func lifecycle() {
        for capture in CaptureMode.allCases {
            let payment = Payment(
                paymentId: F.paymentId, cartId: F.orderId, orderId: F.orderId, customerId: nil, amount: 4999, currency: "EUR",
                status: .requiresAction, capture: capture, createdAt: F.time, updatedAt: F.time)
            #expect(LifecycleDecision.void(payment: payment, operations: []) == .enqueue(.void, amount: nil, keyAttempt: 0))
            guard case .conflict = LifecycleDecision.capture(payment: payment, operations: [], amount: nil) else {
                Issue.record("a capture during REQUIRES_ACTION is not a conflict")
                continue
            }
        }
    }

    @Test("a sync finding a hold on a VOIDED payment cancels it; on a REQUIRES_ACTION payment a decline is left to the authorization")
    func syncReleasesStrayHolds() {
        var voided = SyncStateMachine(F.claim(.sync, status: .voided, reference: F.intentId), now: F.now)
        _ = voided.start()
        #expect(voided.readBack(.success(F.intent(.requiresCapture, capturable: 4999))) == .call(.cancelIntent(
            id: F.intentId, idempotencyKey: StripeKeys.cancelAbandoned("\(F.paymentId):sync", attempt: 1), reason: "abandoned")))
        var waiting = SyncStateMachine(F.claim(.sync, status: .requiresAction, reference: F.intentId), now: F.now)
        _ = waiting.start()
        let declined = F.intent(.requiresPaymentMethod, error: F.cardError(nil, code: "payment_intent_authentication_failure"))
        #expect(F.finish(waiting.readBack(.success(declined)))?.change == PaymentChange())
    }

    static func reviewed(_ review: StripeReview?, outcome: String = "manual_review") -> StripePaymentIntent {
        var intent = F.intent(.requiresCapture, capturable: 4999)
        intent.charge = StripeCharge(id: "ch_1", outcome: .init(type: outcome, riskLevel: "elevated"), review: review)
        return intent
    }

    @Test("Radar: a hold in review records riskOutcome and an open review with payment-review-opened; its close, once")
    func radarReview() throws {
        var machine = Self.readingBack(age: .seconds(1))
        let open = StripeReview(id: "prv_1", open: true, openedReason: "rule")
        let held = try #require(F.finish(machine.readBack(.success(Self.reviewed(open)))))
        #expect(held.change.riskOutcome == "manual_review" && held.change.review == PaymentReview(status: .open, reason: "rule"))
        #expect(held.events.map(\.type) == ["payment-succeeded", "payment-review-opened"])

        var op = F.claim(.sync, status: .authorized, reference: F.intentId)
        op.payment.review = PaymentReview(status: .open, reason: "rule")
        var sync = SyncStateMachine(op, now: F.now)
        _ = sync.start()
        let closed = StripeReview(id: "prv_1", open: false, openedReason: "rule", closedReason: "approved")
        let finish = try #require(F.finish(sync.readBack(.success(Self.reviewed(closed)))))
        #expect(finish.change.status == nil, "the hold is recorded already: only the review moves")
        #expect(finish.change.review == PaymentReview(status: .closed, reason: "approved"))
        #expect(finish.events.map(\.type) == ["payment-review-closed"])

        op.payment.review = PaymentReview(status: .closed, reason: "approved")
        var again = SyncStateMachine(op, now: F.now)
        _ = again.start()
        #expect(F.finish(again.readBack(.success(Self.reviewed(closed))))?.events == [], "a redelivered close publishes nothing")
    }

    @Test("Radar: a block is FAILED with the processor's decline code and riskOutcome blocked")
    func radarBlock() throws {
        var op = F.claim(.authorize, reference: F.intentId, dispatched: true)
        op.payment.processorReference = F.intentId
        var machine = Self.machine(op)
        _ = machine.start()
        var intent = F.intent(.requiresPaymentMethod, error: F.cardError("fraudulent"))
        intent.charge = StripeCharge(id: "ch_1", outcome: .init(type: "blocked", riskLevel: "highest"))
        let finish = try #require(F.finish(machine.confirmed(.declined(F.cardError("fraudulent"), paymentIntent: intent))))
        #expect(finish.change.status == .failed && finish.change.declineCode == "fraudulent")
        #expect(finish.change.failureReason == .cardDeclined && finish.change.riskOutcome == "blocked")
    }

    // MARK: the review's findings

    @Test("a sync claimed while a customer-present payment still read REQUESTED leaves a decline to the authorization")
    func staleSyncLeavesTheDecline() {
        var op = F.claim(.sync, status: .requested, reference: F.intentId)
        op.payment.customerPresent = true
        var sync = SyncStateMachine(op, now: F.now)
        _ = sync.start()
        let failed = F.intent(.requiresPaymentMethod, error: F.cardError(nil, code: "payment_intent_authentication_failure"))
        #expect(F.finish(sync.readBack(.success(failed)))?.change == PaymentChange())
    }

    @Test("each claim cancels an abandoned authentication under its own key: a refusal saved under one never holds the payment")
    func abandonedCancelKeyPerClaim() {
        var machine = Self.readingBack(age: .seconds(901))
        _ = machine.readBack(.success(Self.waiting()))
        let refused = StripeResult<StripePaymentIntent>.rejected(status: 400, F.requestError("payment_intent_unexpected_state"))
        #expect(machine.answered(.intent(refused)) == .call(.retrieveIntent(id: F.intentId)))
        var next = Self.machine(Self.present(.requiresAction, actionAge: .seconds(905), attempts: 4))
        _ = next.start()
        #expect(next.readBack(.success(Self.waiting())) == .call(.cancelIntent(
            id: F.intentId, idempotencyKey: StripeKeys.cancelAbandoned(F.paymentId, attempt: 4), reason: "abandoned")))
    }

    @Test("an unreadable answer while REQUIRES_ACTION is waited on, never parked, and the time-out still cancels")
    func unreadableWhileWaiting() {
        var early = Self.readingBack(age: .seconds(10))
        #expect(early.readBack(.unknown(F.unreadable)) == .awaitCustomer(PaymentChange(), events: [], recheckAfter: .seconds(30)))
        var late = Self.readingBack(age: .seconds(900))
        #expect(late.readBack(.unknown(F.unreadable)) == Self.abandon)
        var faulty = Self.present(.requiresAction, actionAge: .seconds(10), attempts: 9)
        faulty.protocolFaults = 4
        var machine = Self.machine(faulty)
        _ = machine.start()
        #expect(machine.readBack(.unknown(F.unreadable)) == .awaitCustomer(PaymentChange(), events: [], recheckAfter: .seconds(30)))
    }

    @Test("a void whose first read finds the money taken is refused into lastError (refund it), not settled silently")
    func voidFindsTheMoneyTaken() throws {
        var op = F.claim(.void, status: .requiresAction, reference: F.intentId, attempts: 2)
        op.payment.capture = .automatic
        var machine = CaptureVoidStateMachine(op, now: F.now)
        #expect(machine.start() == .call(.retrieveIntent(id: F.intentId)))
        let finish = try #require(F.finish(machine.readFirst(.success(F.intent(.succeeded, received: 4999, captureMethod: "automatic")))))
        #expect(finish.change.status == .captured && finish.change.lastError?.operation == "void")
        #expect(finish.resolution == .failed)
    }

    @Test("a confirm key used with other parameters (idempotency_error) is read back, then moves to the next key")
    func confirmKeyUsedWithOtherParameters() {
        let error = StripeErrorBody(type: "idempotency_error", message: "Keys for idempotent requests can only be used with the same parameters")
        guard case .readBackReplayed = AuthorizationDecision.afterConfirm(.rejected(status: 400, error), intentId: F.intentId) else {
            Issue.record("an idempotency_error is not read back")
            return
        }
    }

    @Test("a decline whose charge came unexpanded reads the intent once more for Radar's word; the decline stands either way")
    func declineReadsRisk() throws {
        var op = F.claim(.authorize, reference: F.intentId, dispatched: true)
        op.payment.processorReference = F.intentId
        for answer in ["expanded", "failed"] {
            var machine = Self.machine(op)
            _ = machine.start()
            var intent = F.intent(.requiresPaymentMethod, error: F.cardError("fraudulent"))
            intent.latestCharge = "ch_1"
            #expect(machine.confirmed(.declined(F.cardError("fraudulent"), paymentIntent: intent)) == .call(.retrieveIntent(id: F.intentId)))
            var expanded = intent
            expanded.charge = StripeCharge(id: "ch_1", outcome: .init(type: "blocked", riskLevel: "highest"))
            let read: StripeResult<StripePaymentIntent> = answer == "expanded" ? .success(expanded) : .unknown(F.timedOut)
            let finish = try #require(F.finish(machine.answered(.intent(read))))
            #expect(finish.change.status == .failed && finish.change.declineCode == "fraudulent")
            #expect(finish.change.riskOutcome == (answer == "expanded" ? "blocked" : nil))
        }
    }
}
