import Foundation
import Payments
import Store
import Testing
import TestSupport
@testable import APIActor

/// `GET /reconciliation/runs` and `GET /reconciliation/runs/{runId}` through the real router and a real database.
@Suite("Reconciliation routes", .serialized)
struct ReconciliationRoutesTests {
    static let items = [
        ReconciliationItem(kind: .statusMismatch, paymentId: RouteBed.newId(), processorReference: "pi_1", detail: "behind", healed: true),
        ReconciliationItem(kind: .missingHere, paymentId: nil, processorReference: "pi_2", detail: "no payment", healed: false),
    ]

    @Test("the runs newest first, a run with its items in order, each answer as documented")
    func runs() async throws {
        try await RouteBed.run { bed in
            let empty = try await bed.get("/reconciliation/runs")
            #expect(empty.status == 200)
            #expect((empty.object["runs"] as? [Any])?.isEmpty == true)
            let older = try await bed.db.database.startReconciliationRun(since: 1_700_000_000, trigger: .scheduled)
            try await bed.db.database.finishReconciliationRun(id: older.id, items: Self.items, error: nil)
            let newer = try await bed.db.database.startReconciliationRun(since: 1_700_000_100, trigger: .command)
            let list = try await bed.get("/reconciliation/runs")
            let runs = list.object["runs"] as? [[String: Any]] ?? []
            #expect(runs.map { $0["runId"] as? String } == [newer.id, older.id])
            #expect(runs.first?["status"] as? String == "running")
            #expect(runs.first?["finishedAt"] is NSNull)
            #expect(runs.last?["itemCount"] as? Int == 2)
            #expect(runs.last?["unresolvedCount"] as? Int == 1)
            #expect(runs.last?["since"] as? String == "2023-11-14T22:13:20.000Z")
            let detail = try await bed.get("/reconciliation/runs/\(older.id)")
            #expect(detail.status == 200)
            let items = detail.object["items"] as? [[String: Any]] ?? []
            #expect(items.map { $0["kind"] as? String } == ["status_mismatch", "missing_here"])
            #expect(items.map { $0["healed"] as? Bool } == [true, false])
            #expect(items.last?["paymentId"] == nil)
            #expect(detail.string("status") == "complete")
            let missing = try await bed.expectUnknownIsNotFound(.get, "/reconciliation/runs/{runId}")
            try RouteBed.expectDocumented("GET", "/reconciliation/runs", [empty, list])
            try RouteBed.expectDocumented("GET", "/reconciliation/runs/{runId}", [detail, missing])
            try await bed.get("/reconciliation/runs", token: nil).expectProblem(401)
        }
    }

    @Test("an incomplete run says why; the gauge's counts are the latest finished run's unresolved items")
    func incomplete() async throws {
        try await RouteBed.run { bed in
            let run = try await bed.db.database.startReconciliationRun(since: 1_700_000_000, trigger: .command)
            try await bed.db.database.finishReconciliationRun(id: run.id, items: Self.items, error: "processor: listing refunds: down")
            let detail = try await bed.get("/reconciliation/runs/\(run.id)")
            #expect(detail.string("status") == "incomplete")
            #expect(detail.string("error") == "processor: listing refunds: down")
            let counts = try await bed.db.database.reconciliationDiscrepancies()
            #expect(counts[.missingHere] == 1)
            #expect(counts[.statusMismatch] == 0)
            #expect(counts.count == DiscrepancyKind.allCases.count)
        }
    }
}
