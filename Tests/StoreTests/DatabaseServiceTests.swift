import Logging
import ServiceLifecycle
import Store
import Testing
import TestSupport

@Suite("The database as a service")
struct DatabaseServiceTests {
    @Test("it works before run() starts, and closes its pool at graceful shutdown: later units of work fail as unavailable")
    func closesAtGracefulShutdown() async throws {
        let db = try await TestDatabase.create(poolSize: 1)
        #expect(try await db.scalar("SELECT 1") == "1")
        let group = ServiceGroup(services: [db.database], logger: Logger(label: "test-group"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            #expect(try await db.scalar("SELECT 2") == "2")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        await #expect {
            try await db.database.payment(id: "00000000-0000-4000-8000-000000000000")
        } throws: { error in
            (error as? StoreError)?.code == .unavailable
        }
    }

    @Test("a cancelled group (a service failed) leaves the pool open for the last writes of the others")
    func cancelledLeavesThePoolOpen() async throws {
        let db = try await TestDatabase.create(poolSize: 1)
        let group = ServiceGroup(services: [db.database], logger: Logger(label: "test-group"))
        let running = Task { try await group.run() }
        #expect(try await db.scalar("SELECT 1") == "1")
        running.cancel()
        _ = await running.result
        #expect(try await db.scalar("SELECT 2") == "2")
        await db.database.shutdown()
    }
}
