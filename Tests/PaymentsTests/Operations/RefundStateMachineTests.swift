@testable import Payments
import StripeModels
import Testing

/// Every path of one refund claim: the create under its key, finding it after unknown answers, watching it.
@Suite struct RefundStateMachineTests {
    typealias F = OperationFixtures
    static let refundBase = "\(F.paymentId):refund"

    static func op(
        status: RefundStatus = .requested, reference: String? = nil, attempts: Int = 1, keyAttempt: Int = 0, dispatched: Bool = true
    ) -> ClaimedOperation {
        F.claim(.refund, status: .captured, reference: F.intentId, attempts: attempts, keyAttempt: keyAttempt, dispatched: dispatched,
                refund: RefundContext(status: status, amount: 1000, reason: .requestedByCustomer, processorReference: reference))
    }

    static func machine(_ op: ClaimedOperation = op()) -> RefundStateMachine { RefundStateMachine(op, now: F.now) }

    static func write(_ action: OperationAction) -> RefundRecord? {
        if case .settleRefund(let write) = action { write } else { nil }
    }

    @Test("a new refund records its dispatch with refund-requested, then creates it under its key with its refund_id")
    func createPath() throws {
        var machine = Self.machine(Self.op(dispatched: false))
        guard case .recordDispatch(.refundRequested(let refundId, _, _, let amount, _, _, _)) = machine.start() else {
            Issue.record("no dispatch with refund-requested")
            return
        }
        #expect(refundId == F.refundId && amount == 1000)
        guard case .call(.createRefund(let params, let key)) = machine.dispatchRecorded(stillWanted: true) else {
            Issue.record("no create")
            return
        }
        #expect(key == StripeKeys.refund(Self.refundBase) && params.metadata["refund_id"] == F.refundId && params.amount == 1000)
        let write = try #require(Self.write(machine.created(.success(F.refund(.succeeded)))))
        #expect(write.status == .processed && write.processorReference == "re_1" && write.events.map(\.type) == ["refund-processed"])
        #expect(write.watchAgainAfter == RefundDecision.watchSchedule[0])
    }

    @Test("pending is watched with a growing pause; failed ends FAILED with the reason; a refusal fails it with lastError")
    func answers() throws {
        var pending = Self.machine()
        _ = pending.start()
        let waiting = try #require(Self.write(pending.created(.success(F.refund(.pending)))))
        #expect(waiting.status == .requested && waiting.events.isEmpty && waiting.watchAgainAfter == RefundDecision.pendingPause(afterReads: 1))
        var failed = Self.machine()
        _ = failed.start()
        let failure = try #require(Self.write(failed.created(.success(F.refund(.failed, failure: "expired_or_canceled_card")))))
        #expect(failure.status == .failed && failure.failureReason == "expired_or_canceled_card" && failure.watchAgainAfter == nil)
        var refused = Self.machine()
        _ = refused.start()
        let refusal = try #require(Self.write(refused.created(.rejected(status: 400, F.requestError("charge_already_refunded")))))
        #expect(refusal.status == .failed && refusal.lastError?.code == "charge_already_refunded" && refusal.processorReference == nil)
    }

    @Test("an unknown create is found among the payment's refunds; not found retries the same key; a failed list retries")
    func unknownCreate() throws {
        func listed(_ result: StripeResult<[StripeRefund]>, after failure: StripeCallFailure) -> OperationAction {
            var machine = Self.machine()
            _ = machine.start()
            #expect(machine.created(.unknown(failure)) == .call(.listRefunds(intentId: F.intentId)))
            return machine.listed(result)
        }
        #expect(Self.write(listed(.success([F.refund(.succeeded)]), after: F.timedOut))?.status == .processed)
        #expect(F.reschedule(listed(.success([F.refund(.succeeded, refundId: "another")]), after: F.timedOut))?.newKeyAttempt == nil)
        #expect(F.reschedule(listed(.unknown(F.timedOut), after: F.timedOut))?.reason?.contains("read-back failed") == true)
        #expect(F.reschedule(listed(.success([]), after: F.replayedServerError))?.newKeyAttempt == 1)
        #expect(F.reschedule(listed(.unknown(F.timedOut), after: F.replayedServerError))?.newKeyAttempt == nil)
    }

    @Test("a create under a numbered key lists first, and creates only when the list was read and lacks the refund")
    func numberedKeyListsFirst() throws {
        var missing = Self.machine(Self.op(keyAttempt: 1))
        #expect(missing.start() == .call(.listRefunds(intentId: F.intentId)))
        guard case .call(.createRefund(_, let key)) = missing.listed(.success([])) else {
            Issue.record("no create after an empty list")
            return
        }
        #expect(key == StripeKeys.refund(Self.refundBase, attempt: 1))
        var found = Self.machine(Self.op(keyAttempt: 1))
        _ = found.start()
        #expect(Self.write(found.listed(.success([F.refund(.succeeded)])))?.status == .processed)
        var unread = Self.machine(Self.op(keyAttempt: 1))
        _ = unread.start()
        #expect(F.reschedule(unread.listed(.unknown(F.timedOut))) != nil)
    }

    @Test("a refund the processor has is read back by id; watching ends after the schedule")
    func watching() throws {
        var machine = Self.machine(Self.op(status: .processed, reference: "re_1", attempts: RefundDecision.watchSchedule.count))
        #expect(machine.start() == .call(.retrieveRefund(id: "re_1")))
        let last = try #require(Self.write(machine.readBack(.success(F.refund(.succeeded)))))
        #expect(last.watchAgainAfter == nil)
        var failedRead = Self.machine(Self.op(status: .processed, reference: "re_1"))
        _ = failedRead.start()
        #expect(F.reschedule(failedRead.readBack(.unknown(F.timedOut))) != nil)
    }

    @Test("without its refund or intent the operation is retried; a dispatch not wanted and a lost lease end it")
    func ends() {
        var broken = RefundStateMachine(F.claim(.refund, status: .captured), now: F.now)
        #expect(F.reschedule(broken.start()) != nil)
        var unwanted = Self.machine(Self.op(dispatched: false))
        _ = unwanted.start()
        #expect(F.isEnd(unwanted.dispatchRecorded(stillWanted: false)))
        var lost = Self.machine()
        _ = lost.start()
        #expect(F.isEnd(lost.leaseLost()))
    }
}
