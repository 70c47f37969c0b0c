import Payments
import Store
import Testing
@testable import WorkerActor

/// The report `payment-service reconcile` prints: one line per item, then the summary with the exit status.
@Suite("Reconciliation report")
struct ReconciliationReportTests {
    @Test("a line per item saying whether it was healed, and a summary counting the unresolved by kind")
    func text() {
        let items = [
            ReconciliationItem(kind: .statusMismatch, paymentId: "p-1", processorReference: "pi_1", detail: "behind", healed: true),
            ReconciliationItem(kind: .missingHere, paymentId: nil, processorReference: "pi_2", detail: "no payment", healed: false),
        ]
        let report = ReconciliationReport(runId: "r-1", since: "2026-01-31T00:00:00Z", startedAt: "2026-02-01T00:00:00.000Z", items: items)
        #expect(report.text.split(separator: "\n").map(String.init) == [
            "reconciliation run r-1: since 2026-01-31T00:00:00Z, started 2026-02-01T00:00:00.000Z",
            "healed     status_mismatch      payment p-1 pi_1: behind",
            "UNRESOLVED missing_here         payment - pi_2: no payment",
            "summary: 2 items, 1 healed, 1 unresolved (missing_here 1); exit 1",
        ])
        #expect(report.verdict == .unresolved)
        let clean = ReconciliationReport(runId: "r-2", since: "s", startedAt: "t", items: [])
        #expect(clean.summary == "summary: 0 items, 0 healed, 0 unresolved; exit 0")
    }

    @Test("the scheduled run is due an interval after the last run began (or after the start); its window starts at the last complete run's start, less the overlap")
    func schedule() {
        let none = ReconciliationHistory(lastStart: nil, lastCompleteStart: nil)
        #expect(ReconciliationScheduler.dueAt(none, startedAt: 1_000, interval: 86_400) == 87_400)
        #expect(ReconciliationScheduler.windowStart(none, now: 100_000, interval: 86_400, overlap: 300) == 100_000 - 86_400 - 300)
        let ran = ReconciliationHistory(lastStart: 50_000, lastCompleteStart: 40_000)
        #expect(ReconciliationScheduler.dueAt(ran, startedAt: 1_000, interval: 86_400) == 136_400)
        #expect(ReconciliationScheduler.windowStart(ran, now: 140_000, interval: 86_400, overlap: 300) == 39_700)
    }
}
