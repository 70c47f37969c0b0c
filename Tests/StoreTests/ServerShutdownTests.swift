import Logging
import Store
import Testing
import TestSupport

/// A server that shut down while the pool's connections sat idle: noticed before a statement is sent, so a
/// write is answered "unreachable" (503 with Retry-After), never "may or may not be recorded".
@Suite("A server shut down under idle connections")
struct ServerShutdownTests {
    @Test("the first statement on an idle connection after a shutdown fails as unavailable, not as an unknown outcome")
    func idleConnectionAfterShutdown() async throws {
        let postgres = try await PrivatePostgres.start()
        defer { postgres.destroy() }
        let database = Database(url: postgres.url, poolSize: 1, logger: Logger(label: "shutdown-test"))
        try await database.withConnection(rerun: .asIs) { tx throws(StoreError) in try tx.execute("SELECT 1") }
        // The server sends the idle connection a FATAL and closes it; nothing reads it until the next statement.
        try await postgres.stop()
        // An autocommit statement: one sent with no reply coming may have committed.
        await #expect {
            try await database.withConnection(rerun: .asIs) { tx throws(StoreError) in try tx.execute("SELECT 1") }
        } throws: { error in
            (error as? StoreError)?.code == .unavailable
        }
        await database.shutdown()
    }
}
