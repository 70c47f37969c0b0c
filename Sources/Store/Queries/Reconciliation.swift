import Foundation
import Payments

/// A reconciliation run as `GET /reconciliation/runs` lists it.
public struct ReconciliationRunSummary: Sendable, Equatable {
    public enum Status: String, Sendable { case running, complete, incomplete }
    public enum Trigger: String, Sendable { case command, scheduled }

    public var runId: String
    public var since: String
    public var trigger: Trigger
    public var status: Status
    /// Why an incomplete run could not complete.
    public var error: String?
    public var startedAt: String
    public var finishedAt: String?
    public var items: Int
    public var unresolved: Int
}

/// A run with its items, in the order found.
public struct ReconciliationRunDetail: Sendable, Equatable {
    public var summary: ReconciliationRunSummary
    public var items: [ReconciliationItem]
}

/// When runs began, for the scheduled run's window and its next time (unix seconds).
public struct ReconciliationHistory: Sendable, Equatable {
    public var lastStart: Double?
    public var lastCompleteStart: Double?

    public init(lastStart: Double?, lastCompleteStart: Double?) {
        self.lastStart = lastStart
        self.lastCompleteStart = lastCompleteStart
    }
}

extension Database {
    /// Records a run's start; its id and start time (RFC 3339).
    public func startReconciliationRun(since: Int, trigger: ReconciliationRunSummary.Trigger) async throws(StoreError) -> (id: String, startedAt: String) {
        let id = UUID().uuidString.lowercased()
        return try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            let row = try tx.execute(
                """
                INSERT INTO reconciliation_runs (id, since, trigger) VALUES (\(id)::uuid, to_timestamp(\(since)::float8), \(trigger))
                RETURNING rfc3339(started_at) AS started_at
                """)[0]
            return (id, try row.requiredString("started_at"))
        }
    }

    /// Records a run's items and its end in one transaction: `error` nil is a complete run.
    public func finishReconciliationRun(id: String, items: [ReconciliationItem], error: String?) async throws(StoreError) {
        try await transaction(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute(
                """
                INSERT INTO reconciliation_items (run_id, position, kind, payment_id, processor_reference, detail, healed)
                SELECT \(id)::uuid, t.position, t.kind, t.payment_id, t.reference, t.detail, t.healed
                FROM unnest(\(array: items.map(\.kind.rawValue))::text[], \(array: items.map(\.paymentId))::uuid[],
                            \(array: items.map(\.processorReference))::text[], \(array: items.map(\.detail))::text[],
                            \(array: items.map { String($0.healed) })::boolean[])
                     WITH ORDINALITY AS t(kind, payment_id, reference, detail, healed, position)
                """)
            let status: ReconciliationRunSummary.Status = error == nil ? .complete : .incomplete
            try tx.execute(
                """
                UPDATE reconciliation_runs SET status = \(status), error = \(error), finished_at = clock_timestamp() WHERE id = \(id)::uuid
                """)
        }
    }

    /// The newest runs first.
    public func reconciliationRuns(limit: Int) async throws(StoreError) -> [ReconciliationRunSummary] {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute("\(RunRow.select) ORDER BY r.started_at DESC, r.id LIMIT \(limit)").rows.map { row throws(StoreError) in
                try RunRow.decode(row)
            }
        }
    }

    public func reconciliationRun(id: String) async throws(StoreError) -> ReconciliationRunDetail? {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            guard let row = try tx.execute("\(RunRow.select) WHERE r.id = \(id)::uuid").rows.first else { return nil }
            let items = try tx.execute(
                """
                SELECT kind, payment_id, processor_reference, detail, healed FROM reconciliation_items
                WHERE run_id = \(id)::uuid ORDER BY position
                """
            ).rows.map { row throws(StoreError) in try RunRow.item(row) }
            return ReconciliationRunDetail(summary: try RunRow.decode(row), items: items)
        }
    }

    public func reconciliationHistory() async throws(StoreError) -> ReconciliationHistory {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            let row = try tx.execute(
                """
                SELECT extract(epoch FROM max(started_at))::text AS last_start,
                       extract(epoch FROM max(started_at) FILTER (WHERE status = 'complete'))::text AS last_complete_start
                FROM reconciliation_runs
                """)[0]
            return ReconciliationHistory(
                lastStart: try row.string("last_start").flatMap(Double.init), lastCompleteStart: try row.string("last_complete_start").flatMap(Double.init))
        }
    }

    /// The unresolved items of the latest finished run, by kind (every kind present, 0 when none).
    public func reconciliationDiscrepancies() async throws(StoreError) -> [DiscrepancyKind: Int] {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            let rows = try tx.execute(
                """
                SELECT kind, count(*) AS unresolved FROM reconciliation_items
                WHERE run_id = (SELECT id FROM reconciliation_runs WHERE finished_at IS NOT NULL ORDER BY started_at DESC LIMIT 1)
                  AND NOT healed
                GROUP BY kind
                """).rows
            var counts = Dictionary(uniqueKeysWithValues: DiscrepancyKind.allCases.map { ($0, 0) })
            for row in rows {
                counts[try row.required("kind", as: DiscrepancyKind.self)] = try row.requiredInt("unresolved")
            }
            return counts
        }
    }

    /// Operations of the payment queued (waiting or running): reconciliation compares a payment with live work
    /// only once that work has ended.
    public func queuedOperations(paymentId: String) async throws(StoreError) -> Int {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute("SELECT count(*) AS queued FROM operations WHERE payment_id = \(paymentId)::uuid AND status = 'queued'")[0]
                .requiredInt("queued")
        }
    }
}

enum RunRow {
    static let select: SQL = """
        SELECT r.id, rfc3339(r.since) AS since, r.trigger, r.status, r.error, rfc3339(r.started_at) AS started_at,
               rfc3339(r.finished_at) AS finished_at,
               (SELECT count(*) FROM reconciliation_items i WHERE i.run_id = r.id) AS items,
               (SELECT count(*) FROM reconciliation_items i WHERE i.run_id = r.id AND NOT i.healed) AS unresolved
        FROM reconciliation_runs r
        """

    static func decode(_ row: PGRow) throws(StoreError) -> ReconciliationRunSummary {
        ReconciliationRunSummary(
            runId: try row.requiredString("id"), since: try row.requiredString("since"),
            trigger: try row.required("trigger", as: ReconciliationRunSummary.Trigger.self),
            status: try row.required("status", as: ReconciliationRunSummary.Status.self), error: try row.string("error"),
            startedAt: try row.requiredString("started_at"), finishedAt: try row.string("finished_at"), items: try row.requiredInt("items"),
            unresolved: try row.requiredInt("unresolved"))
    }

    static func item(_ row: PGRow) throws(StoreError) -> ReconciliationItem {
        ReconciliationItem(
            kind: try row.required("kind", as: DiscrepancyKind.self), paymentId: try row.string("payment_id"),
            processorReference: try row.requiredString("processor_reference"), detail: try row.requiredString("detail"),
            healed: try row.bool("healed"))
    }
}
