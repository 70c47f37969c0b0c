import Foundation
@testable import Store
import Testing
import TestSupport

@Suite("Claims: the claim statements stay on their indexes")
struct ClaimPlanTests {
    /// A claim whose generic plan walks every queued operation costs as much as the queue is long: under a
    /// backlog, PostgreSQL spent 4.2 ms of CPU per settled payment instead of 2.6.
    @Test("with hundreds queued, the claim by id locks and leases through the primary key, and the sweep joins nothing")
    func claimsStayOnTheirIndexes() async throws {
        let db = try await TestDatabase.create(poolSize: 1)
        for _ in 0..<4 {
            let batch = (0..<100).map { _ in IntakeCommand(command(), newPaymentId: newId()) }
            _ = try await db.database.recordRequested(batch: batch)
        }
        let byId = try await Self.genericPlan(db, ClaimSQL.byId([1], owner: "probe", lease: .seconds(30)), types: "bigint[], text, double precision", arguments: "'{1}', 'probe', 30")
        #expect(byId.contains { $0.contains("operations_pkey") }, "\(byId)")
        #expect(!byId.contains { $0.contains("operations_due") || $0.contains("Seq Scan on operations") || $0.contains("Hash Join") }, "\(byId)")
        let sweep = try await Self.genericPlan(db, ClaimSQL.sweep(limit: 16, owner: "probe", lease: .seconds(30)), types: "text[], int, text, double precision", arguments: "'\(ClaimSQL.knownKinds)', 16, 'probe', 30")
        #expect(sweep.contains { $0.contains("operations_due") }, "\(sweep)")
        #expect(!sweep.contains { $0.contains("Seq Scan on operations") || $0.contains("Hash Join") }, "\(sweep)")
    }

    /// The generic plan of `sql`, prepared with its parameters' `types`, for `arguments`.
    static func genericPlan(_ db: TestDatabase, _ sql: SQL, types: String, arguments: String) async throws -> [String] {
        try await db.database.withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute("ANALYZE operations, payments, refunds")
            try tx.execute("SET plan_cache_mode = force_generic_plan")
            try tx.execute("DEALLOCATE ALL")
            try tx.execute("PREPARE claim_probe(\(unescaped: types)) AS \(unescaped: sql.text)")
            try tx.execute("BEGIN")
            let lines = try tx.execute("EXPLAIN EXECUTE claim_probe(\(unescaped: arguments))").rows.compactMap { $0.string(0) }
            try tx.execute("ROLLBACK")
            return lines
        }
    }
}
