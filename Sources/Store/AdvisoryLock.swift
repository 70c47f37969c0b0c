/// A PostgreSQL session-level advisory lock, held on a connection of its own (on its own thread) for as long as
/// the work it guards runs: across every instance sharing the database, one holder at a time. The connection
/// opens no transaction while it holds the lock, so it holds back nothing (the events feed's snapshot included).
/// If the process dies, PostgreSQL ends its session and the lock with it.
public final class AdvisoryLock: Sendable {
    private let thread: ConnectionThread
    private let key: Int

    private init(thread: ConnectionThread, key: Int) {
        self.thread = thread
        self.key = key
    }

    /// The lock, or nil when another session holds it. Never waits for it.
    static func acquire(_ key: Int, conninfo: String) async throws(StoreError) -> AdvisoryLock? {
        let thread = ConnectionThread(conninfo: conninfo, name: "pg-lock-\(key)")
        do throws(StoreError) {
            let locked = try await thread.run { connection throws(StoreError) in
                try connection.execute("SELECT pg_try_advisory_lock(\(key)) AS locked")[0].bool("locked")
            }
            guard locked else {
                thread.stop()
                return nil
            }
            return AdvisoryLock(thread: thread, key: key)
        } catch {
            thread.stop()
            throw error
        }
    }

    /// Unlocks and closes the connection (closing it alone would unlock too: a failed unlock changes nothing).
    public func release() async {
        _ = try? await thread.run { [key] connection throws(StoreError) in try connection.execute("SELECT pg_advisory_unlock(\(key))") }
        thread.stop()
    }
}

extension Database {
    /// The reconciliation lock: at most one run at a time across instances.
    public static let reconciliationLockKey = 7_061_698

    public func tryAdvisoryLock(_ key: Int) async throws(StoreError) -> AdvisoryLock? {
        try await AdvisoryLock.acquire(key, conninfo: conninfo)
    }
}
