@testable import Payments
import StripeModels
import Testing

/// Every path of one capture or void claim: the call by id, refusals, unknown and replayed answers, read-backs.
@Suite struct CaptureVoidStateMachineTests {
    typealias F = OperationFixtures
    static let captureKey = StripeKeys.capture("\(F.paymentId):capture")

    static func capture(attempts: Int = 1, keyAttempt: Int = 0, protocolFaults: Int = 0) -> ClaimedOperation {
        F.claim(.capture, status: .authorized, reference: F.intentId, attempts: attempts, keyAttempt: keyAttempt,
                protocolFaults: protocolFaults, dispatched: true, amount: 4999)
    }

    static func machine(_ op: ClaimedOperation = capture()) -> CaptureVoidStateMachine {
        CaptureVoidStateMachine(op, now: F.now)
    }

    /// A machine whose call was sent and waits for its answer.
    static func sent(_ op: ClaimedOperation = capture()) -> CaptureVoidStateMachine {
        var machine = machine(op)
        #expect(machine.start() == .recordDispatch(nil))
        _ = machine.dispatchRecorded(stillWanted: true)
        return machine
    }

    static let captured = StripeResult<StripePaymentIntent>.success(F.intent(.succeeded, received: 4999))
    static let held = StripeResult<StripePaymentIntent>.success(F.intent(.requiresCapture, capturable: 4999))

    @Test("a capture is sent by id under its key and settles CAPTURED, publishing only payment-captured")
    func capturePath() throws {
        var machine = Self.machine()
        #expect(machine.start() == .recordDispatch(nil))
        #expect(machine.dispatchRecorded(stillWanted: true)
            == .call(.captureIntent(id: F.intentId, amount: 4999, idempotencyKey: Self.captureKey)))
        let finish = try #require(F.finish(machine.sent(Self.captured)))
        #expect(finish.change.status == .captured && finish.change.amountCaptured == 4999 && finish.change.succeeded == "capture")
        #expect(finish.events.map(\.type) == ["payment-captured"] && finish.resolution == .done)
    }

    @Test("a void cancels under its key and settles VOIDED; one whose authorization is still in flight waits")
    func voidPath() throws {
        let op = F.claim(.void, status: .authorized, reference: F.intentId, dispatched: true)
        var machine = CaptureVoidStateMachine(op, now: F.now)
        _ = machine.start()
        #expect(machine.dispatchRecorded(stillWanted: true)
            == .call(.cancelIntent(id: F.intentId, idempotencyKey: StripeKeys.cancel("\(F.paymentId):void"))))
        let finish = try #require(F.finish(machine.sent(.success(F.intent(.canceled)))))
        #expect(finish.change.status == .voided && finish.events.map(\.type) == ["payment-voided"])
        var waiting = CaptureVoidStateMachine(F.claim(.void, status: .requested), now: F.now)
        #expect(waiting.start() == .reschedule(Reschedule(reason: nil)))
    }

    @Test("a payment settled elsewhere needs nothing; an authorized payment without its intent is retried; a dispatch not wanted ends")
    func nothingToSend() {
        for status in [PaymentStatus.voided, .failed, .captured] {
            var machine = Self.machine(F.claim(.capture, status: status, reference: F.intentId))
            #expect(machine.start() == F.claim(.capture).nothingToDo)
        }
        var orphan = Self.machine(F.claim(.capture, status: .authorized))
        #expect(F.reschedule(orphan.start())?.reason != nil)
        var unwanted = Self.machine()
        _ = unwanted.start()
        #expect(F.isEnd(unwanted.dispatchRecorded(stillWanted: false)))
    }

    @Test("a new attempt reads the intent first: settled already decides without a call, still held sends, unreadable faults")
    func newAttemptReadsFirst() throws {
        var settled = Self.machine(Self.capture(keyAttempt: 1))
        #expect(settled.start() == .call(.retrieveIntent(id: F.intentId)))
        #expect(F.finish(settled.readFirst(Self.captured))?.change.status == .captured)
        var stillHeld = Self.machine(Self.capture(attempts: 2))
        _ = stillHeld.start()
        #expect(stillHeld.readFirst(Self.held) == .recordDispatch(nil))
        var unreadable = Self.machine(Self.capture(keyAttempt: 1))
        _ = unreadable.start()
        #expect(F.reschedule(unreadable.readFirst(.success(F.intent(.requiresCapture).lacking(capturable: true))))?.protocolFault == true)
        var unanswered = Self.machine(Self.capture(keyAttempt: 1))
        _ = unanswered.start()
        #expect(unanswered.readFirst(.unknown(F.timedOut)) == .recordDispatch(nil))
    }

    @Test("a refusal is kept in lastError and the operation fails, the payment keeping the state read back")
    func refusalStands() throws {
        for readBack: StripeResult<StripePaymentIntent> in [Self.held, .rejected(status: 404, F.requestError("resource_missing"))] {
            var machine = Self.sent()
            #expect(machine.sent(.rejected(status: 400, F.requestError("amount_too_large"))) == .call(.retrieveIntent(id: F.intentId)))
            let finish = try #require(F.finish(machine.readBack(readBack)))
            #expect(finish.change.status == nil && finish.change.lastError?.code == "amount_too_large" && finish.resolution == .failed)
        }
    }

    @Test("a refusal whose read-back shows the payment settled records that state with the refusal, and clears nothing")
    func refusalButSettled() throws {
        var machine = Self.sent()
        _ = machine.sent(.declined(F.cardError(nil), paymentIntent: nil))
        let finish = try #require(F.finish(machine.readBack(.success(F.intent(.canceled)))))
        #expect(finish.change.status == .voided && finish.change.lastError != nil && finish.change.succeeded == nil)
        #expect(finish.resolution == .failed)
    }

    @Test("an unknown answer is read back: still held retries the same key; a replayed 500 still held moves to the next key")
    func unknownAndReplayed() throws {
        var unknown = Self.sent()
        #expect(unknown.sent(.unknown(F.timedOut)) == .call(.retrieveIntent(id: F.intentId)))
        let same = try #require(F.reschedule(unknown.readBack(Self.held)))
        #expect(same.newKeyAttempt == nil)
        var replayed = Self.sent()
        _ = replayed.sent(.unknown(F.replayedServerError))
        #expect(F.reschedule(replayed.readBack(Self.held))?.newKeyAttempt == 1)
        var settled = Self.sent()
        _ = settled.sent(.unknown(F.replayedServerError))
        #expect(F.finish(settled.readBack(Self.captured))?.change.succeeded == "capture")
    }

    @Test("retryable answers and failed read-backs reschedule; unreadable ones count protocol faults, the fifth parks")
    func retriesAndFaults() throws {
        var retryable = Self.sent()
        #expect(F.reschedule(retryable.sent(.retryable(F.rateLimited)))?.reason != nil)
        var failedRead = Self.sent()
        _ = failedRead.sent(.unknown(F.serverError))
        #expect(F.reschedule(failedRead.readBack(.unknown(F.timedOut)))?.protocolFault == false)
        var unreadable = Self.sent()
        #expect(F.reschedule(unreadable.sent(.success(F.intent(.succeeded).lacking(received: true))))?.protocolFault == true)
        var parked = Self.sent(Self.capture(protocolFaults: 4))
        let finish = try #require(F.finish(parked.sent(.success(F.intent(.succeeded).lacking(received: true)))))
        #expect(finish.resolution == .parked && finish.change.lastError?.code == "processor_protocol_fault")
    }

    @Test("lease lost ends the run without a write")
    func leaseLost() {
        var machine = Self.sent()
        #expect(F.isEnd(machine.leaseLost()))
    }
}
