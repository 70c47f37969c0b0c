import Foundation
@testable import Store
import Testing
import TestSupport

@Suite("Claims: the claim by id stays on the primary key")
struct ClaimPlanTests {
    /// With the due conditions in the locking select, the generic plan walked the due-operations index (every
    /// queued operation) and filtered the ids out of it: a claim by id cost as much as the queue was long.
    @Test("the claim by id's generic plan locks operations through their primary key, with hundreds queued")
    func claimByIdUsesThePrimaryKey() async throws {
        let db = try await TestDatabase.create(poolSize: 1)
        for _ in 0..<4 {
            let batch = (0..<100).map { _ in IntakeCommand(command(), newPaymentId: newId()) }
            _ = try await db.database.recordRequested(batch: batch)
        }
        let sql = ClaimSQL.byId([1], owner: "probe", lease: .seconds(30))
        let plan = try await db.database.withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute("ANALYZE operations")
            try tx.execute("SET plan_cache_mode = force_generic_plan")
            try tx.execute("PREPARE claim_probe(bigint[], text, double precision) AS \(unescaped: sql.text)")
            try tx.execute("BEGIN")
            let lines = try tx.execute("EXPLAIN EXECUTE claim_probe('{1}', 'probe', 30)").rows.compactMap { $0.string(0) }
            try tx.execute("ROLLBACK")
            return lines
        }
        #expect(plan.contains { $0.contains("operations_pkey") }, "\(plan)")
        #expect(!plan.contains { $0.contains("operations_due") }, "\(plan)")
    }
}
