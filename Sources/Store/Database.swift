import Logging

/// The system of record: a pool of libpq connections to the payments database.
public final class Database: Sendable {
    public let pool: ConnectionPool
    let logger: Logger
    private let notifier = EventNotifier()

    /// `url` is a libpq URI (`DATABASE_URL`); time-outs are added so an outage is noticed in seconds.
    public init(url: String, poolSize: Int, logger: Logger) {
        pool = ConnectionPool(conninfo: Self.conninfo(url), size: poolSize)
        self.logger = logger
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws. If the connection
    /// breaks, `body` may run again (`PGConnection.rerunIfInterrupted`): it must recognise its own committed
    /// effect and answer as its first run would have.
    @discardableResult
    public func transaction<T: Sendable>(
        _ body: @escaping @Sendable (Transaction) throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        let (value, wroteEvents) = try await pool.withConnection { connection throws(StoreError) in
            try connection.rerunIfInterrupted { () throws(StoreError) in
                connection.wroteEvents = false
                connection.autocommits = false
                try connection.execute("BEGIN")
                do throws(StoreError) {
                    let value = try body(Transaction(connection: connection))
                    try connection.commit()
                    return (value, connection.wroteEvents)
                } catch {
                    if !connection.isBroken { _ = try? connection.execute("ROLLBACK") }
                    throw error
                }
            }
        }
        if wroteEvents { notifier.poke(self) }
        return value
    }

    /// Runs `body` outside an explicit transaction (each statement commits on its own). Like `transaction`,
    /// `body` may run again after a broken connection and must recognise its own committed effect.
    @discardableResult
    public func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (Transaction) throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        let (value, wroteEvents) = try await pool.withConnection { connection throws(StoreError) in
            try connection.rerunIfInterrupted { () throws(StoreError) in
                connection.wroteEvents = false
                connection.autocommits = true
                return (try body(Transaction(connection: connection)), connection.wroteEvents)
            }
        }
        if wroteEvents { notifier.poke(self) }
        return value
    }

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

/// The statements of one unit of work, on the connection's own thread.
public struct Transaction {
    let connection: PGConnection

    @discardableResult
    public func execute(_ sql: SQL) throws(StoreError) -> PGResult {
        try noteEvents(written: connection.execute(sql), by: sql)
    }

    /// Runs `sql` as the statement prepared under `name`: its text must be the same at every call.
    @discardableResult
    public func execute(prepared name: String, _ sql: SQL) throws(StoreError) -> PGResult {
        try noteEvents(written: connection.execute(prepared: name, sql), by: sql)
    }

    func executeScript(_ sql: String) throws(StoreError) {
        try connection.executeScript(sql)
    }

    /// This run follows one whose connection broke after it may have committed: look for its effect first.
    var isRerun: Bool { connection.isRerun }

    /// A statement that appends events (`EventSQL.insert`) wakes the event streams after the commit when it wrote
    /// any: its first row's `events_written` says how many (no row: assumed some, a wake-up is harmless).
    private func noteEvents(written result: PGResult, by sql: SQL) throws(StoreError) -> PGResult {
        guard sql.writesEvents else { return result }
        let count = try result.rows.first.map { row throws(StoreError) in try row.int("events_written") ?? 0 } ?? 1
        if count > 0 { connection.wroteEvents = true }
        return result
    }
}
