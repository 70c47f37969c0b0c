import Foundation
import Logging
import ServiceLifecycle
import Store

/// The daily run with the worker (`RECONCILIATION_INTERVAL`): due `interval` after the last run began (or after
/// this process started, when none ever ran); its window starts where the last complete run's did (or `interval`
/// ago), less `overlap`, so nothing created around a run's start falls between two windows. Every instance has
/// one; the lock and a second look at the runs under it make one run per interval across them.
public struct ReconciliationScheduler: Service {
    let reconciler: Reconciler
    let database: Database
    let interval: Int
    let overlap: Int
    let logger: Logger

    public init(reconciler: Reconciler, database: Database, interval: Int, overlap: Int = 300, logger: Logger) {
        self.reconciler = reconciler
        self.database = database
        self.interval = interval
        self.overlap = overlap
        self.logger = logger
    }

    public func run() async throws {
        let started = Date().timeIntervalSince1970
        while true {
            let wait = await nextWait(startedAt: started)
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
            } catch {
                return  // shutting down
            }
            await cancelWhenGracefulShutdown { await runIfDue(startedAt: started) }
        }
    }

    /// Until the next run is due; a minute when the database cannot say.
    func nextWait(startedAt: Double) async -> Duration {
        guard let history = try? await database.reconciliationHistory() else { return .seconds(60) }
        let due = Self.dueAt(history, startedAt: startedAt, interval: interval)
        return .milliseconds(max(0, Int((due - Date().timeIntervalSince1970) * 1000)) + 100)
    }

    private func runIfDue(startedAt: Double) async {
        let (interval, overlap) = (interval, overlap)
        do throws(ReconciliationError) {
            guard let report = try await reconciler.runIfDue({ history in
                let now = Date().timeIntervalSince1970
                guard Self.dueAt(history, startedAt: startedAt, interval: interval) <= now else { return nil }
                return Self.windowStart(history, now: now, interval: interval, overlap: overlap)
            }) else { return }
            logger.notice("scheduled reconciliation", metadata: ["run_id": "\(report.runId)", "summary": "\(report.summary)"])
        } catch {
            logger.error("scheduled reconciliation could not complete", metadata: ["error": "\(error)"])
        }
    }

    static func dueAt(_ history: ReconciliationHistory, startedAt: Double, interval: Int) -> Double {
        (history.lastStart ?? startedAt) + Double(interval)
    }

    static func windowStart(_ history: ReconciliationHistory, now: Double, interval: Int, overlap: Int) -> Int {
        Int(history.lastCompleteStart ?? (now - Double(interval))) - overlap
    }
}
