import Testing
@testable import Payments

/// How findings become reported items once their heals ran, and a run's exit status.
@Suite("Reconciliation: resolution and verdict")
struct ReconciliationResolutionTests {
    static let sync = Finding(.statusMismatch, paymentId: "p", subject: .intent("pi_1"), detail: "behind", heal: .sync(paymentId: "p"))
    static let amount = Finding(.amountMismatch, paymentId: "p", subject: .intent("pi_1"), detail: "amount")

    @Test("without a heal every finding is reported unresolved")
    func noHeal() {
        #expect(Resolution.items(found: [Self.amount], afterHeal: nil) == [ReconciliationItem(Self.amount, healed: false)])
        #expect(Resolution.heals([Self.amount]).isEmpty)
    }

    @Test("a kind gone after the heal is healed; one still there is reported as the last look saw it")
    func afterHeal() {
        let items = Resolution.items(found: [Self.sync, Self.amount], afterHeal: [Self.amount])
        #expect(items == [ReconciliationItem(Self.sync, healed: true), ReconciliationItem(Self.amount, healed: false)])
        #expect(Resolution.items(found: [Self.sync], afterHeal: [Self.sync]) == [ReconciliationItem(Self.sync, healed: false)])
    }

    @Test("each distinct heal runs once")
    func distinctHeals() {
        #expect(Resolution.heals([Self.sync, Self.sync, Self.amount]) == [.sync(paymentId: "p")])
    }

    @Test("exit status: 0 when everything is healed (or nothing found), 1 when something is not, 2 when the run did not complete")
    func verdict() {
        #expect(ReconciliationVerdict(items: [], complete: true) == .clean)
        #expect(ReconciliationVerdict(items: [ReconciliationItem(Self.sync, healed: true)], complete: true) == .clean)
        #expect(ReconciliationVerdict(items: [ReconciliationItem(Self.amount, healed: false)], complete: true) == .unresolved)
        #expect(ReconciliationVerdict(items: [], complete: false) == .incomplete)
        #expect(Heal.cancel(intentId: "pi_9") == .cancelIntent(id: "pi_9", idempotencyKey: "reconcile:cancel:pi_9"))
    }
}
