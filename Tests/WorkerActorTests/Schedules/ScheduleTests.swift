import Foundation
import Testing

/// Randomized, seeded schedules of requests, worker runs, stale runners, webhooks and processor faults,
/// run through the real executor against the model store and processor; the money-safety invariants are
/// checked after each. `SCHEDULES=<n>` runs more; `SEED=<n>` reruns exactly one, with its trace.
@Suite("Seeded schedules against the model store and processor")
struct ScheduleTests {
    static let defaultCount = 5_000
    /// Failing seeds listed before the run stops (the first with its trace).
    static let failuresShown = 6

    @Test("every schedule keeps the money-safety invariants")
    func schedulesKeepTheInvariants() async throws {
        let environment = ProcessInfo.processInfo.environment
        if let seed = environment["SEED"].flatMap(UInt64.init) {
            let outcome = await Self.traced(seed)
            print(outcome.report)
            #expect(outcome.violations.isEmpty, "SEED=\(seed)")
            return
        }
        let count = environment["SCHEDULES"].flatMap(Int.init) ?? Self.defaultCount
        let started = ContinuousClock.now
        var swallowed = 0
        var failing: [(seed: UInt64, violations: [String])] = []
        for seed in 1...UInt64(count) where failing.count < Self.failuresShown {
            var run = ScheduleRun(Schedule(seed: seed))
            let outcome = await run.run()
            swallowed += outcome.swallowedDuplicates
            if !outcome.violations.isEmpty { failing.append((seed, outcome.violations)) }
        }
        print("\(count) schedules in \(ContinuousClock.now - started); \(swallowed) repeated events skipped by the one-per-fact rule")
        guard let first = failing.first else { return }
        let others = failing.dropFirst().map { "SEED=\($0.seed): \($0.violations.joined(separator: "; "))" }
        let traced = await Self.traced(first.seed)
        Issue.record("SEED=\(first.seed) broke an invariant (rerun with SEED=\(first.seed)):\n\(traced.report)\n\(others.joined(separator: "\n"))")
    }

    @Test("a compare-and-set that accepts any transition is caught")
    func brokenCompareAndSetIsCaught() async {
        var caught: UInt64?
        for seed in 1...UInt64(500) {
            var run = ScheduleRun(Schedule(seed: seed), acceptAnyTransition: true)
            let outcome = await run.run()
            if let violation = outcome.violations.first {
                print("a compare-and-set accepting any transition: SEED=\(seed) \(violation)")
                caught = seed
                break
            }
        }
        #expect(caught != nil)
    }

    /// A refund PROCESSED, then failed at the processor: the `refund.failed` event's sync meets a refund list
    /// that fails (a time-out, a 429) and finishes without it; the refund's own operation has stopped watching,
    /// so the record keeps the refund PROCESSED and `amountRefunded` counts money the processor gave back.
    @Test("a refund failed at the processor is recorded even when the sync's first refund list fails")
    func refundFailureSurvivesAFailedList() async {
        for seed: UInt64 in [20_931, 26_837, 33_428, 40_040] {
            var run = ScheduleRun(Schedule(seed: seed))
            let outcome = await run.run()
            #expect(outcome.violations.isEmpty, "SEED=\(seed): \(outcome.violations)")
        }
    }

    @Test("the same seed runs the same schedule")
    func seedsReproduce() async {
        var first = ScheduleRun(Schedule(seed: 42), tracing: true)
        var second = ScheduleRun(Schedule(seed: 42), tracing: true)
        let (a, b) = (await first.run(), await second.run())
        #expect(a.trace == b.trace)
        #expect(!a.trace.isEmpty)
    }

    static func traced(_ seed: UInt64) async -> ScheduleOutcome {
        var run = ScheduleRun(Schedule(seed: seed), tracing: true)
        return await run.run()
    }
}

extension ScheduleOutcome {
    var report: String {
        (violations.map { "VIOLATION: \($0)" } + ["steps:"] + trace).joined(separator: "\n")
    }
}
