import Payments
import Logging
import ServiceLifecycle
import Store
import Testing
import TestSupport
import WorkerActor

@Suite("Retention sweeper")
struct RetentionSweeperTests {
    @Test("sweeps soon after start, and stops at once on a graceful shutdown while waiting for the next sweep")
    func sweepsAndStops() async throws {
        let db = try await TestDatabase.create()
        try await db.database.withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute("""
                INSERT INTO idempotency_keys (scope, key, fingerprint, resource_id, created_at)
                VALUES ('s', 'old', 'authorize {}', gen_random_uuid(), clock_timestamp() - interval '8 days'),
                       ('s', 'new', 'authorize {}', gen_random_uuid(), clock_timestamp())
                """)
        }
        let logger = Logger(label: "retention-test")
        let sweeper = RetentionSweeper(
            database: db.database, firstSweepAfter: .milliseconds(10), interval: .seconds(3_600), logger: logger)
        let group = ServiceGroup(services: [sweeper], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        let running = Task { try await group.run() }
        let deadline = ContinuousClock.now + .seconds(10)
        while try await db.scalar("SELECT count(*) FROM idempotency_keys") != "1", ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await db.column("SELECT key FROM idempotency_keys") == ["new"])
        let stopping = ContinuousClock.now
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(ContinuousClock.now - stopping < .seconds(5))
    }
}
