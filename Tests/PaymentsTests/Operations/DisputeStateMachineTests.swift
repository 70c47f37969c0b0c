import Testing
import Payments
import StripeModels

private typealias F = OperationFixtures

/// The dispute read-back: the processor's dispute, read by id, against the record, decides the events; the webhook
/// that prompted it never does.
@Suite struct DisputeStateMachineTests {
    static let reference = "dp_1"
    static let freshId = "0b6c7d2e-5a4f-4e3b-8c1d-9e8f7a6b5c4d"

    static func machine() -> DisputeStateMachine {
        var op = F.claim(.dispute, status: .captured, reference: F.intentId)
        op.disputeReference = reference
        return DisputeStateMachine(op, now: F.now)
    }

    static func read(
        _ status: String, refundable: Bool = false, withdrawn: Bool = false, reinstated: Bool = false, intent: String? = F.intentId
    ) -> StripeDispute {
        var moves: [StripeDispute.BalanceTransaction] = []
        if withdrawn || reinstated { moves.append(.init(id: "txn_1", amount: -4999, reportingCategory: "dispute")) }
        if reinstated { moves.append(.init(id: "txn_2", amount: 4999, reportingCategory: "dispute_reversal")) }
        return StripeDispute(
            id: reference, amount: 4999, currency: "eur", paymentIntent: intent, reason: "fraudulent", status: status,
            isChargeRefundable: refundable, evidenceDueBy: 1_714_566_896, balanceTransactions: moves)
    }

    /// The transition a read of `read` comes to after `recorded`, through the machine.
    static func transition(_ read: StripeDispute, recorded: Dispute?) -> OperationAction {
        var machine = machine()
        #expect(machine.start() == .call(.retrieveDispute(id: reference)))
        #expect(machine.answered(.dispute(.success(read))) == .findDispute(reference: reference))
        return machine.disputeFound(recorded, freshId: freshId)
    }

    static func events(_ action: OperationAction) -> [String] {
        guard case .recordDispute(let transition) = action else { return [] }
        return transition.events.map(\.type)
    }

    @Test("a dispute seen for the first time is recorded under a fresh id with payment-disputed, and its withdrawal")
    func opened() throws {
        let action = Self.transition(Self.read("needs_response", withdrawn: true), recorded: nil)
        guard case .recordDispute(let transition) = action else { Issue.record("not recorded: \(action)"); return }
        #expect(transition.dispute.disputeId == Self.freshId && transition.dispute.paymentId == F.paymentId)
        #expect(transition.dispute.evidenceDueBy == "2024-05-01T12:34:56.000Z")
        #expect(transition.events.map(\.type) == ["payment-disputed", "dispute-funds-withdrawn"])
        #expect(transition.events.allSatisfy { $0.subjectId == Self.freshId })
    }

    @Test("won: closed with the outcome read back, then the funds back; each event once, a second read changes nothing")
    func won() throws {
        let opened = try #require({ if case .recordDispute(let t) = Self.transition(Self.read("needs_response", withdrawn: true), recorded: nil) { t.dispute } else { nil } }())
        let won = Self.transition(Self.read("won", reinstated: true), recorded: opened)
        #expect(Self.events(won) == ["dispute-closed", "dispute-funds-reinstated"])
        guard case .recordDispute(let closed) = won else { return }
        #expect(closed.dispute.disputeId == opened.disputeId)
        #expect(closed.events.first?.dataJSON.contains("\"outcome\":\"won\"") == true)
        #expect(F.finish(Self.transition(Self.read("won", reinstated: true), recorded: closed.dispute))?.resolution == .done,
                "nothing changed: nothing written")
    }

    @Test("an inquiry is refundable and takes nothing; a lost dispute stays disputed; a won one does not")
    func amounts() {
        let inquiry = Dispute.Status.warningNeedsResponse
        #expect(inquiry.countsAsDisputed && !inquiry.isClosed)
        #expect(Dispute.Status.lost.countsAsDisputed && !Dispute.Status.won.countsAsDisputed)
        #expect(!Dispute.Status.warningClosed.countsAsDisputed && !Dispute.Status.prevented.countsAsDisputed)
    }

    @Test("a dispute of another intent, or one the processor does not know, is not recorded; a failed read is retried")
    func notRecorded() {
        var other = Self.machine()
        _ = other.start()
        #expect(F.finish(other.answered(.dispute(.success(Self.read("needs_response", intent: "pi_other")))))?.change == PaymentChange())
        var missing = Self.machine()
        _ = missing.start()
        let gone = StripeErrorBody(type: "invalid_request_error", code: "resource_missing", message: "No such dispute")
        #expect(F.finish(missing.answered(.dispute(.rejected(status: 404, gone))))?.resolution == .done)
        var failing = Self.machine()
        _ = failing.start()
        #expect(F.reschedule(failing.answered(.dispute(.retryable(F.serverError)))) != nil)
    }

    @Test("an unknown status is a protocol fault, never recorded")
    func unknownStatus() {
        let action = Self.transition(Self.read("charge_refunded"), recorded: nil)
        #expect(F.reschedule(action)?.protocolFault == true)
    }
}

/// The refund rules a dispute adds.
@Suite struct DisputeRefundRuleTests {
    static func payment() -> Payment {
        Payment(
            paymentId: F.paymentId, cartId: "c", orderId: F.orderId, customerId: nil, amount: 5000, currency: "EUR", status: .captured,
            capture: .manual, amountCaptured: 5000, createdAt: "t", updatedAt: "t")
    }

    static func dispute(_ status: Dispute.Status, refundable: Bool, amount: Int = 2000) -> Dispute {
        Dispute(
            disputeId: "d1", paymentId: F.paymentId, amount: amount, currency: "eur", reason: "fraudulent", status: status,
            isChargeRefundable: refundable, evidenceDueBy: nil, processorReference: "dp_1")
    }

    @Test("an open dispute that makes the charge non-refundable refuses a refund, naming it")
    func blocked() {
        let decision = RefundRequestDecision.decide(
            payment: Self.payment(), reserved: 0, amount: 100, disputes: [Self.dispute(.needsResponse, refundable: false)])
        guard case .conflict(let reason) = decision else { Issue.record("\(decision)"); return }
        #expect(reason.contains("dp_1") && reason.contains("needs_response"))
    }

    @Test("an inquiry stays refundable; a lost dispute's amount is no longer refundable; a won one gives it back")
    func amounts() {
        let inquiry = Self.dispute(.warningNeedsResponse, refundable: true)
        #expect(RefundRequestDecision.decide(payment: Self.payment(), reserved: 0, amount: nil, disputes: [inquiry]) == .refund(amount: 5000))
        let lost = Self.dispute(.lost, refundable: false)
        #expect(RefundRequestDecision.decide(payment: Self.payment(), reserved: 1000, amount: nil, disputes: [lost]) == .refund(amount: 2000))
        guard case .conflict = RefundRequestDecision.decide(payment: Self.payment(), reserved: 0, amount: 3001, disputes: [lost]) else {
            Issue.record("a refund of the lost amount was allowed")
            return
        }
        let won = Self.dispute(.won, refundable: false)
        #expect(RefundRequestDecision.decide(payment: Self.payment(), reserved: 0, amount: nil, disputes: [won]) == .refund(amount: 5000))
    }
}
