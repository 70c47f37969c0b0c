import Logging
import ServiceLifecycle
import Telemetry

/// The system of record: a pool of libpq connections to the payments database.
///
/// A `Service` whose `run()` owns the pool: the pool is ready from `init` (the service migrates the database
/// before its service group starts, and tests use a `Database` without running it), and `run()` holds it until
/// graceful shutdown or cancellation, then closes it. First in the service group, it is the last to stop: the
/// API and the worker finish their units of work before it closes.
public final class Database: Service {
    public let pool: ConnectionPool
    /// What the pool's connections connect with, for a connection of its own (`AdvisoryLock`).
    let conninfo: String
    let logger: Logger
    private let notifier = EventNotifier()

    /// `url` is a libpq URI (`DATABASE_URL`); time-outs are added so an outage is noticed in seconds.
    public init(url: String, poolSize: Int, logger: Logger) {
        conninfo = Self.conninfo(url)
        pool = ConnectionPool(conninfo: conninfo, size: poolSize)
        self.logger = logger
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws. If the connection
    /// breaks, the unit of work runs again as `rerun` says (`PGConnection.rerunIfInterrupted`). Traced as the
    /// span `db <function>`, the caller's name.
    @discardableResult
    public func transaction<T: Sendable>(
        rerun: Rerun<T>, function: String = #function, _ body: @escaping @Sendable (Transaction) throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        try await unit(function, rerun: rerun, autocommits: false) { tx throws(StoreError) in
            try tx.connection.execute("BEGIN")
            do throws(StoreError) {
                let value = try rerun.run(body, in: tx)
                try tx.connection.commit()
                return value
            } catch {
                if !tx.connection.isBroken { _ = try? tx.connection.execute("ROLLBACK") }
                throw error
            }
        }
    }

    /// Runs `body` outside an explicit transaction (each statement commits on its own). Like `transaction`, it
    /// runs again after a broken connection as `rerun` says.
    @discardableResult
    public func withConnection<T: Sendable>(
        rerun: Rerun<T>, function: String = #function, _ body: @escaping @Sendable (Transaction) throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        try await unit(function, rerun: rerun, autocommits: true) { tx throws(StoreError) in try rerun.run(body, in: tx) }
    }

    /// One unit of work on a pooled connection, in its span (when it is part of traced work), run again after a
    /// broken connection as `rerun` says; its NOTIFY, if it wrote events, after it. The unit's operations join
    /// the caller's trace.
    private func unit<T: Sendable>(
        _ function: String, rerun: Rerun<T>, autocommits: Bool, _ work: @escaping @Sendable (Transaction) throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        let traceparent = Traces.currentTraceparent
        let (value, notifying) = try await Traces.span("db \(function)", kind: .client, onlyWithin: true) { span throws(StoreError) in
            span.attributes["db.system"] = "postgresql"
            do throws(StoreError) {
                return try await pool.withConnection { connection throws(StoreError) in
                    try connection.rerunIfInterrupted(afterCommit: rerun.mayRunAgain) { () throws(StoreError) in
                        connection.beginUnit(autocommits: autocommits)
                        return (try work(Transaction(connection: connection, traceparent: traceparent)), connection.notifying)
                    }
                }
            } catch {
                span.setStatus(SpanStatus(code: .error, message: error.code.rawValue))
                throw error
            }
        }
        if let notifying { notifier.poke(self, for: notifying) }
        return value
    }

    /// Closes the pool at graceful shutdown, after the services started after it have stopped. A cancelled group
    /// (a service failed) leaves the pool open: the worker's last writes (giving its leases back) still reach
    /// the database while the process ends.
    public func run() async throws {
        try? await gracefulShutdown()
        guard !Task.isCancelled else { return }
        await shutdown()
    }

    /// Closes the pool (what `run()` does at graceful shutdown); later units of work fail as `unavailable`.
    public func shutdown() async {
        await pool.shutdown()
    }

    static func conninfo(_ url: String) -> String {
        let defaults = [
            "connect_timeout": "2", "keepalives_idle": "10", "keepalives_interval": "3", "keepalives_count": "3",
            "application_name": "payment-service",
        ]
        let missing = defaults.keys.sorted().filter { !url.contains("\($0)=") }.map { "\($0)=\(defaults[$0]!)" }
        guard !missing.isEmpty else { return url }
        return url + (url.contains("?") ? "&" : "?") + missing.joined(separator: "&")
    }
}

extension PGConnection {
    /// Starts a unit of work: nothing written, nobody named yet.
    fileprivate func beginUnit(autocommits: Bool) {
        wroteEvents = false
        addressees = nil
        self.autocommits = autocommits
    }

    /// Whom the unit's NOTIFY is for (everyone when it did not say); nil: it sends none.
    fileprivate var notifying: Addressees? { wroteEvents ? addressees ?? .everyone : nil }
}

/// The statements of one unit of work, on the connection's own thread.
public struct Transaction {
    let connection: PGConnection
    /// The trace of the task that began the unit (`Traces.currentTraceparent`), for the operations it queues.
    let traceparent: String?

    @discardableResult
    public func execute(_ sql: SQL) throws(StoreError) -> PGResult {
        try noteEvents(written: connection.execute(sql), by: sql)
    }

    /// Runs `sql` as the statement prepared under `name`: its text must be the same at every call.
    @discardableResult
    public func execute(prepared name: String, _ sql: SQL) throws(StoreError) -> PGResult {
        try noteEvents(written: connection.execute(prepared: name, sql), by: sql)
    }

    /// Wakes every instance's listeners after the commit, as written events do, for a unit of work that may
    /// write none (an operation's end always concerns its `Prefer: wait` requests, and a refused capture or void
    /// records only `lastError`), naming the waiters of `paymentId`.
    func wakeWaiters(of paymentId: String) {
        connection.wroteEvents = true
        concerns(paymentId)
    }

    /// Names the waiters of `paymentId` in the NOTIFY that this unit's events send.
    func concerns(_ paymentId: String) {
        connection.addressees = connection.addressees?.union(.payments([paymentId])) ?? .payments([paymentId])
    }

    /// The NOTIFY that this unit's events send concerns no waiter (it wakes the event streams only).
    func concernsNoWaiter() {
        connection.addressees = connection.addressees ?? .nobody
    }

    func executeScript(_ sql: String) throws(StoreError) {
        try connection.executeScript(sql)
    }

    /// A statement that appends events (`EventSQL.insert`) wakes the event streams after the commit when it wrote
    /// any: its first row's `events_written` says how many (no row: assumed some, a wake-up is harmless).
    private func noteEvents(written result: PGResult, by sql: SQL) throws(StoreError) -> PGResult {
        guard sql.writesEvents else { return result }
        let count = try result.rows.first.map { row throws(StoreError) in try row.int("events_written") ?? 0 } ?? 1
        if count > 0 { connection.wroteEvents = true }
        return result
    }
}
