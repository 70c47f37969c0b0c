@testable import Payments
import StripeModels
import Testing

/// Every path of one authorization claim, events in and actions out, with no database and no processor.
@Suite struct AuthorizationStateMachineTests {
    typealias F = OperationFixtures
    static let key = F.paymentId

    static func machine(_ op: ClaimedOperation = F.claim(.authorize), searchLag: Duration = .seconds(60)) -> AuthorizationStateMachine {
        AuthorizationStateMachine(op, searchLag: searchLag, now: F.now)
    }

    /// A machine that has created `intent` and waits for its reference to be recorded.
    static func created(_ op: ClaimedOperation = F.claim(.authorize, dispatched: true), intent: String = "pi_new") -> AuthorizationStateMachine {
        var machine = machine(op)
        _ = machine.start()
        #expect(machine.created(.success(F.intent(.requiresPaymentMethod, id: intent))) == .recordReference(intent))
        return machine
    }

    static func confirm(_ intent: String, attempt: Int = 0) -> OperationAction {
        .call(.confirmIntent(id: intent, paymentMethod: "pm_card_visa", offSession: true, idempotencyKey: StripeKeys.confirm(key, attempt: attempt)))
    }

    @Test("a new authorization records its dispatch, creates, records the intent, confirms it and records the hold")
    func happyPath() throws {
        var machine = Self.machine()
        guard case .recordDispatch(.paymentRequested(let id, _, _, let amount, _, _)) = machine.start() else {
            Issue.record("the first action is not the dispatch with payment-requested")
            return
        }
        #expect(id == F.paymentId && amount == 4999)
        guard case .call(.createIntent(let params, let createKey)) = machine.dispatchRecorded(stillWanted: true) else {
            Issue.record("no create after the dispatch")
            return
        }
        #expect(createKey == StripeKeys.create(Self.key, attempt: 0))
        #expect(params.metadata["payment_id"] == F.paymentId && params.captureMethod == "manual")
        #expect(machine.created(.success(F.intent(.requiresPaymentMethod, id: "pi_new"))) == .recordReference("pi_new"))
        #expect(machine.referenceRecorded("pi_new") == Self.confirm("pi_new"))
        let finish = try #require(F.finish(machine.confirmed(.success(F.intent(.requiresCapture, id: "pi_new", capturable: 4999)))))
        #expect(finish.change.status == .authorized && finish.change.processorReference == "pi_new" && finish.resolution == .done)
        #expect(finish.events.map(\.type) == ["payment-succeeded"])
    }

    @Test("a payment no longer REQUESTED is done at once; a dispatch no longer wanted ends without a write")
    func settledElsewhere() {
        var settled = Self.machine(F.claim(.authorize, status: .voided))
        #expect(settled.start() == F.claim(.authorize).nothingToDo)
        var unwanted = Self.machine()
        _ = unwanted.start()
        #expect(F.isEnd(unwanted.dispatchRecorded(stillWanted: false)))
    }

    @Test("a create declined ends FAILED without a reference; retryable and unknown creates keep their key")
    func createAnswers() throws {
        var declined = Self.machine(F.claim(.authorize, dispatched: true))
        _ = declined.start()
        let failed = try #require(F.finish(declined.created(.declined(F.cardError("insufficient_funds"), paymentIntent: nil))))
        #expect(failed.change.status == .failed && failed.change.failureReason == .insufficientFunds && failed.change.processorReference == nil)
        for result: StripeResult<StripePaymentIntent> in [.retryable(F.notSent), .unknown(F.timedOut)] {
            var machine = Self.machine(F.claim(.authorize, dispatched: true))
            _ = machine.start()
            let plan = try #require(F.reschedule(machine.created(result)))
            #expect(plan.newCreateAttempt == nil && plan.newKeyAttempt == nil)
        }
    }

    @Test("a create whose key replays a saved 500 searches; an empty search moves the key only after the search lag, then parks")
    func replayedCreate() throws {
        func searched(_ op: ClaimedOperation, _ found: [StripePaymentIntent]) -> OperationAction {
            var machine = Self.machine(op)
            _ = machine.start()
            #expect(machine.created(.unknown(F.replayedServerError)) == .call(.searchIntents(paymentId: F.paymentId)))
            return machine.searched(.success(found))
        }
        let early = try #require(F.reschedule(searched(F.claim(.authorize, dispatched: true, sinceDispatch: .seconds(5)), [])))
        #expect(early.newCreateAttempt == nil)
        let late = try #require(F.reschedule(searched(F.claim(.authorize, dispatched: true, sinceDispatch: .seconds(61)), [])))
        #expect(late.newCreateAttempt == 1)
        let last = try #require(F.finish(searched(F.claim(.authorize, createAttempt: 2, dispatched: true, sinceDispatch: .seconds(61)), [])))
        #expect(last.resolution == .parked && last.change.lastError?.code == "create_keys_exhausted")
        #expect(searched(F.claim(.authorize, dispatched: true), [F.intent(.requiresPaymentMethod, id: "pi_found")]) == .recordReference("pi_found"))
    }

    @Test("a search that fails retries under the same create key")
    func failedSearch() throws {
        var machine = Self.machine(F.claim(.authorize, dispatched: true, sinceDispatch: .seconds(600)))
        _ = machine.start()
        _ = machine.created(.unknown(F.replayedServerError))
        let plan = try #require(F.reschedule(machine.searched(.unknown(F.timedOut))))
        #expect(plan.newCreateAttempt == nil)
    }

    @Test("an intent recorded first wins: the created one is cancelled with the orphan key, and the recorded one is read back")
    func recordedFirst() {
        var machine = Self.created()
        let cancel = OperationAction.call(.cancelIntent(id: "pi_new", idempotencyKey: StripeKeys.cancelOrphan(StripeKeys.create(Self.key, attempt: 0))))
        #expect(machine.referenceRecorded("pi_first") == cancel)
        #expect(machine.answered(.intent(.success(F.intent(.canceled, id: "pi_new")))) == .call(.retrieveIntent(id: "pi_first")))
    }

    @Test("lease lost while recording: the created intent is cancelled only when another one is on record")
    func leaseLostAfterCreate() {
        var other = Self.created()
        #expect(other.leaseLost() == .readRecordedReference)
        guard case .call(.cancelIntent(let id, _, _)) = other.recordedReferenceRead("pi_other") else {
            Issue.record("the orphan is not cancelled")
            return
        }
        #expect(id == "pi_new")
        #expect(F.isEnd(other.answered(.intent(.success(F.intent(.canceled, id: "pi_new"))))))
        for recorded in [nil, "pi_new"] {
            var same = Self.created()
            _ = same.leaseLost()
            #expect(F.isEnd(same.recordedReferenceRead(recorded)), "the intent the later claim may use is left alone")
        }
    }

    @Test("lease lost at any other point ends the run without a write")
    func leaseLostElsewhere() {
        var machine = Self.machine(F.claim(.authorize, reference: "pi_1", dispatched: true))
        #expect(machine.start() == Self.confirm("pi_1"))
        #expect(F.isEnd(machine.leaseLost()))
    }

    @Test("an unknown confirm is read back: the hold read back is recorded")
    func unknownConfirm() throws {
        var machine = Self.machine(F.claim(.authorize, reference: "pi_1", dispatched: true))
        _ = machine.start()
        #expect(machine.confirmed(.unknown(F.timedOut)) == .call(.retrieveIntent(id: "pi_1")))
        let finish = try #require(F.finish(machine.readBack(.success(F.intent(.requiresCapture, id: "pi_1", capturable: 4999)))))
        #expect(finish.change.status == .authorized)
    }

    @Test("a replayed 500 on confirm, with the intent still unconfirmed, moves to the next confirm key")
    func replayedConfirm() throws {
        var machine = Self.machine(F.claim(.authorize, reference: "pi_1", dispatched: true))
        _ = machine.start()
        #expect(machine.confirmed(.unknown(F.replayedServerError)) == .call(.retrieveIntent(id: "pi_1")))
        let plan = try #require(F.reschedule(machine.readBack(.success(F.intent(.requiresConfirmation, id: "pi_1")))))
        #expect(plan.newKeyAttempt == 1)
    }

    @Test("a confirm refused as unexpected state is read back; a missing intent ends FAILED; an unreadable one counts a protocol fault")
    func readBackAnswers() throws {
        var machine = Self.machine(F.claim(.authorize, reference: "pi_1", dispatched: true))
        _ = machine.start()
        #expect(machine.confirmed(.rejected(status: 400, F.requestError("payment_intent_unexpected_state"))) == .call(.retrieveIntent(id: "pi_1")))
        var missing = machine
        let failed = try #require(F.finish(missing.readBack(.rejected(status: 404, F.requestError("resource_missing")))))
        #expect(failed.change.status == .failed && failed.change.declineCode == "resource_missing")
        var unreadable = machine
        #expect(F.reschedule(unreadable.readBack(.unknown(F.unreadable)))?.protocolFault == true)
        var unanswered = machine
        #expect(F.reschedule(unanswered.readBack(.unknown(F.timedOut)))?.protocolFault == false)
    }

    @Test("the fifth unreadable answer parks the authorization with its reason in lastError")
    func protocolFaultParks() throws {
        var machine = Self.machine(F.claim(.authorize, reference: "pi_1", protocolFaults: 4, dispatched: true))
        _ = machine.start()
        let parked = try #require(F.finish(machine.confirmed(.success(F.intent(.succeeded, id: "pi_1", received: 0).lacking(received: true)))))
        #expect(parked.resolution == .parked && parked.change.lastError?.code == "processor_protocol_fault")
    }

    @Test("a retry with a recorded intent reads it back before confirming; a claim makes at most four decisions")
    func retryReadsBackFirst() throws {
        var machine = Self.machine(F.claim(.authorize, reference: "pi_1", attempts: 2, dispatched: true))
        #expect(machine.start() == .call(.retrieveIntent(id: "pi_1")))
        let unconfirmed = StripeResult<StripePaymentIntent>.success(F.intent(.requiresConfirmation, id: "pi_1"))
        #expect(machine.readBack(unconfirmed) == Self.confirm("pi_1"))
        #expect(machine.confirmed(.unknown(F.timedOut)) == .call(.retrieveIntent(id: "pi_1")))
        #expect(machine.readBack(unconfirmed) == Self.confirm("pi_1"))
        let plan = try #require(F.reschedule(machine.confirmed(.unknown(F.timedOut))))
        #expect(plan.reason?.contains("no decision") == true)
    }
}

extension StripePaymentIntent {
    /// The same intent with an amount the processor left out.
    func lacking(received: Bool = false, capturable: Bool = false) -> StripePaymentIntent {
        var intent = self
        if received { intent.amountReceived = nil }
        if capturable { intent.amountCapturable = nil }
        return intent
    }
}
