@testable import Payments
import StripeModels
import Testing

/// A sync after a webhook: the intent read back by id, then the refunds of a captured payment, each recorded
/// only when its processor status differs from the recorded one.
@Suite struct SyncStateMachineTests {
    typealias F = OperationFixtures

    static func machine(_ status: PaymentStatus) -> SyncStateMachine {
        SyncStateMachine(F.claim(.sync, status: status, reference: F.intentId), now: F.now)
    }

    static func local(_ status: RefundStatus, refundId: String = F.refundId) -> Refund {
        Refund(refundId: refundId, paymentId: F.paymentId, amount: 1000, currency: "EUR", reason: nil, status: status,
               processorReference: "re_1", createdAt: F.time, updatedAt: F.time)
    }

    /// A sync of a captured payment that asked for its refunds.
    static func listing() -> SyncStateMachine {
        var machine = machine(.captured)
        _ = machine.start()
        _ = machine.readBack(.success(F.intent(.succeeded, received: 4999)))
        return machine
    }

    @Test("a REQUESTED payment read back held is recorded AUTHORIZED with payment-succeeded")
    func authorizes() throws {
        var machine = Self.machine(.requested)
        #expect(machine.start() == .call(.retrieveIntent(id: F.intentId)))
        let finish = try #require(F.finish(machine.readBack(.success(F.intent(.requiresCapture, capturable: 4999)))))
        #expect(finish.change.status == .authorized && finish.events.map(\.type) == ["payment-succeeded"])
    }

    @Test("a captured payment's refunds are compared one by one; only a moved one is recorded; then those made elsewhere, oldest first; then the sync ends")
    func refunds() throws {
        var machine = Self.machine(.captured)
        _ = machine.start()
        #expect(machine.readBack(.success(F.intent(.succeeded, received: 4999))) == .call(.listRefunds(intentId: F.intentId)))
        let foreign = StripeRefund(id: "re_x", paymentIntent: F.intentId, amount: 5, currency: "eur", status: .succeeded)
        let refunds = [F.refund(.succeeded), foreign, F.refund(.failed, id: "re_2", refundId: "r2", failure: "lost"), F.refund(.pending, id: "re_3", refundId: "r3")]
        #expect(machine.listed(.success(refunds)) == .findRefund(id: F.refundId))
        guard case .recordRefund(let write) = machine.refundFound(Self.local(.requested)) else {
            Issue.record("a moved refund is not recorded")
            return
        }
        #expect(write.status == .processed && write.events.map(\.type) == ["refund-processed"])
        #expect(machine.refundRecorded() == .findRefund(id: "r2"))
        #expect(machine.refundFound(Self.local(.failed, refundId: "r2")) == .findRefund(id: "r3"), "unchanged: nothing recorded")
        #expect(machine.refundFound(Self.local(.requested, refundId: "r3"))
            == .recordForeignRefund(ForeignRefund(processorReference: "re_x", amount: 5, status: .processed)))
        let finish = try #require(F.finish(machine.refundRecorded()))
        #expect(finish.resolution == .done)
    }

    @Test("refunds made elsewhere are recorded oldest first (the list is newest first), a pending one as REQUESTED")
    func foreignRefunds() throws {
        var machine = Self.machine(.captured)
        _ = machine.start()
        _ = machine.readBack(.success(F.intent(.succeeded, received: 4999)))
        let newer = StripeRefund(id: "re_new", paymentIntent: F.intentId, amount: 5, currency: "eur", status: .succeeded)
        let older = StripeRefund(id: "re_old", paymentIntent: F.intentId, amount: 7, currency: "eur", status: .pending, reason: "duplicate")
        #expect(machine.listed(.success([newer, older]))
            == .recordForeignRefund(ForeignRefund(processorReference: "re_old", amount: 7, status: .requested, reason: .duplicate)))
        #expect(machine.refundRecorded() == .recordForeignRefund(ForeignRefund(processorReference: "re_new", amount: 5, status: .processed)))
        let finish = try #require(F.finish(machine.refundRecorded()))
        #expect(finish.resolution == .done)
    }

    @Test("a refund unknown here is skipped; a failed list is asked again, an unreadable one counts towards parking, a refused one ends")
    func skips() throws {
        var machine = Self.machine(.captured)
        _ = machine.start()
        _ = machine.readBack(.success(F.intent(.succeeded, received: 4999)))
        _ = machine.listed(.success([F.refund(.succeeded)]))
        #expect(F.finish(machine.refundFound(nil)) != nil)
        var unread = Self.machine(.captured)
        _ = unread.start()
        _ = unread.readBack(.success(F.intent(.succeeded, received: 4999)))
        #expect(F.reschedule(unread.listed(.unknown(F.timedOut)))?.reason == "refund list failed")
        var refused = Self.listing()
        #expect(F.finish(refused.listed(.rejected(status: 400, F.requestError("parameter_invalid"))))?.resolution == .done)
        var unreadable = Self.listing()
        #expect(F.reschedule(unreadable.listed(.unknown(F.unreadable)))?.protocolFault == true)
        var parked = SyncStateMachine(F.claim(.sync, status: .captured, reference: F.intentId, protocolFaults: 4), now: F.now)
        _ = parked.start()
        _ = parked.readBack(.success(F.intent(.succeeded, received: 4999)))
        #expect(F.finish(parked.listed(.unknown(F.unreadable)))?.resolution == .parked)
    }

    @Test("a read-back refused for good is dropped; one that failed is retried; no intent means nothing to read")
    func readBackFailures() {
        var refused = Self.machine(.authorized)
        _ = refused.start()
        #expect(refused.readBack(.rejected(status: 404, F.requestError("resource_missing"))) == F.claim(.sync).nothingToDo)
        var failed = Self.machine(.authorized)
        _ = failed.start()
        #expect(F.reschedule(failed.readBack(.unknown(F.timedOut))) != nil)
        var none = SyncStateMachine(F.claim(.sync, status: .requested), now: F.now)
        #expect(none.start() == F.claim(.sync).nothingToDo)
    }

    @Test("lease lost ends the run without a write")
    func leaseLost() {
        var machine = Self.machine(.captured)
        _ = machine.start()
        #expect(F.isEnd(machine.leaseLost()))
    }
}
