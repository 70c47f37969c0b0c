@testable import Store
import Testing
import TestSupport

@Suite("Intake: the group-commit statement stays index-bound")
struct IntakePlanTests {
    /// The prepared statement runs on its generic plan after a few executions. When that plan scanned the whole
    /// payments table per batch, the intake slowed as the table grew (a quarter of its rate at 45,000 rows).
    @Test("its generic plan reads payments through indexes only")
    func genericPlanUsesIndexes() async throws {
        let db = try await TestDatabase.create(poolSize: 1)
        let plan = try await db.database.withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute("SET plan_cache_mode = force_generic_plan")
            try tx.execute("PREPARE plan_probe(uuid[], uuid[], uuid[], uuid[], bigint[], text[], text[], text[], text[], text[], boolean[], uuid[], text[], float8[], uuid[], text[], text[], text[], text[], text[], uuid[], uuid[], text[]) AS \(unescaped: IntakeSQL.batch([]).text)")
            try tx.execute("BEGIN")
            let lines = try tx.execute("""
                EXPLAIN EXECUTE plan_probe('{00000000-0000-4000-8000-000000000001}', '{00000000-0000-4000-8000-000000000002}',
                  '{00000000-0000-4000-8000-000000000003}', '{NULL}', '{100}', '{USD}', '{manual}', '{pm_card_visa}', '{"{}"}', '{c}', '{f}',
                  '{00000000-0000-4000-8000-000000000001}', '{w}', '{15}',
                  '{00000000-0000-4000-8000-000000000001}', '{ops}', '{NULL}', '{NULL}', '{NULL}', '{}', '{}', '{}', '{}')
                """).rows.compactMap { $0.string(0) }
            try tx.execute("ROLLBACK")
            return lines
        }
        #expect(plan.contains { $0.contains("Index Scan using payments_by_cart") }, "\(plan)")
        #expect(!plan.contains { $0.contains("Seq Scan on payments") }, "\(plan)")
    }
}
