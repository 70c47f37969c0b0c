import Logging
import Store
import Testing
import TestSupport

@Suite("Migrations")
struct MigrationTests {
    @Test("applying twice applies nothing the second time, and readiness follows")
    func idempotent() async throws {
        let db = try await TestDatabase.create()
        #expect(try await db.database.migrate() == [])
        #expect(await db.database.isReady())
        #expect(try await db.scalar("SELECT count(*) = max(version) FROM schema_migrations") == "t")
    }

    @Test("instances migrating one fresh database together do not race")
    func concurrent() async throws {
        let db = try await TestDatabase.create()
        try await db.database.withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute("DROP SCHEMA public CASCADE")
            try tx.execute("CREATE SCHEMA public")
        }
        let results = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let instance = Database(url: db.url, poolSize: 1, logger: Logger(label: "m"))
                    defer { Task { await instance.shutdown() } }
                    return try await instance.migrate()
                }
            }
            return try await group.reduce(into: [[Int]]()) { $0.append($1) }
        }
        let applied = results.filter { !$0.isEmpty }
        #expect(applied.count == 1)
        #expect(applied.first?.first == 1)
    }

    @Test("an unreachable database is `unavailable`, quickly")
    func unreachable() async throws {
        let db = Database(url: "postgresql://postgres@127.0.0.1:1/none", poolSize: 1, logger: Logger(label: "x"))
        let started = ContinuousClock.now
        await #expect(throws: StoreError.self) { try await db.payment(id: newId()) }
        do { _ = try await db.payment(id: newId()) } catch { #expect(error.code == .unavailable) }
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(await db.isReady() == false)
    }
}
