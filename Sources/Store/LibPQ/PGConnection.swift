import CLibPQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One libpq connection. Not thread-safe: only its `ConnectionThread` touches it.
final class PGConnection {
    private var handle: OpaquePointer?
    private let conninfo: String
    /// Set when a statement of the current unit of work wrote events (read and cleared by `Database`).
    var wroteEvents = false
    /// Whose waiters the current unit of work said its NOTIFY concerns; nil: it did not say (read and cleared
    /// by `Database`).
    var addressees: Addressees?
    /// Statements prepared on the current connection, by name with their text; a new connection starts with none.
    private var prepared: [String: String] = [:]
    /// The server process behind the connection, to tell when a lost connection's work is final.
    private var backend: BackendIdentity?
    /// Whether the current unit of work runs its statements in autocommit (each commits on its own).
    var autocommits = false
    /// Whether the current run of a unit of work follows one whose connection broke (the unit then looks for
    /// its own committed effect first).
    private(set) var isRerun = false
    /// Whether a statement that commits (COMMIT, or an autocommit statement) was sent and its reply never came:
    /// the server may have committed it. Any reply from the server, success or error, clears it.
    private(set) var mayHaveCommitted = false

    init(conninfo: String) {
        self.conninfo = conninfo
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// Connects if there is no healthy connection yet. libpq reports the password nowhere in its errors.
    func ensureConnected() throws(StoreError) {
        if let handle, PQstatus(handle) == CONNECTION_OK, PQtransactionStatus(handle) != PQTRANS_IDLE || Self.stillOpen(handle) { return }
        if let handle { PQfinish(handle) }
        prepared.removeAll()
        backend = nil
        handle = PQconnectdb(conninfo)
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            let message = handle.map { Self.firstLine(PQerrorMessage($0)) } ?? "out of memory"
            if let handle { PQfinish(handle) }
            self.handle = nil
            throw StoreError(.unavailable, "cannot connect to the database: \(message)")
        }
        // Server notices ("relation already exists, skipping") are not errors; keep them off stderr.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        // The prepared statements are key lookups and writes (the intake's is held to its indexes by IntakePlanTests).
        // Left to choose, PostgreSQL kept planning the intake's statement afresh on every call: 0.8–1.0 ms each.
        try executeScript("SET plan_cache_mode = force_generic_plan")
        backend = try BackendIdentity.read(self)
    }

    /// Runs one statement with its bound parameters (text format; `nil` is SQL NULL).
    @discardableResult
    func execute(_ sql: SQL) throws(StoreError) -> PGResult {
        try ensureConnected()
        if autocommits { mayHaveCommitted = true }
        let parameters = sql.bindings
        let result: OpaquePointer? = try withCStrings(parameters) { values in
            PQexecParams(handle, sql.text, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        return try check(result)
    }

    /// Runs a statement prepared once per connection under `name` (the plan is reused after that).
    @discardableResult
    func execute(prepared name: String, _ statement: SQL) throws(StoreError) -> PGResult {
        try ensureConnected()
        let sql = statement.text
        let parameters = statement.bindings
        if let text = prepared[name] {
            guard text == sql else { throw StoreError(.queryFailed, "prepared statement \(name) was given another text") }
        } else {
            _ = try check(PQprepare(handle, name, sql, Int32(parameters.count), nil))
            prepared[name] = sql
        }
        if autocommits { mayHaveCommitted = true }
        let result: OpaquePointer? = try withCStrings(parameters) { values in
            PQexecPrepared(handle, name, Int32(parameters.count), values, nil, nil, 0)
        }
        return try check(result)
    }

    /// Runs SQL text with no parameters; it may hold several statements (migrations).
    func executeScript(_ sql: String) throws(StoreError) {
        try ensureConnected()
        _ = try check(PQexec(handle, sql))
    }

    /// An idle connection the server closed (a restart, an idle timeout) is noticed here, before a statement
    /// is sent on it, by reading what is pending without waiting (libpq's socket is non-blocking). Twice: a
    /// server shutting down sends a FATAL and then closes, and a read that finds the message returns before it
    /// meets the end (libpq takes the message, while idle, as a notice); only the next read sees the close.
    /// Missed, the next statement would find it instead, with no reply, and an autocommit write answer unknown.
    private static func stillOpen(_ handle: OpaquePointer) -> Bool {
        PQconsumeInput(handle) == 1 && PQconsumeInput(handle) == 1 && PQstatus(handle) == CONNECTION_OK
    }

    /// Ends the current transaction. From here on a lost connection is an unknown outcome.
    func commit() throws(StoreError) {
        mayHaveCommitted = true
        try execute("COMMIT")
    }

    /// Runs `work` (a unit of work), and once more on a new connection when its connection broke:
    /// - before anything that commits was sent (a connection left dead by a server restart), the first run
    ///   changed nothing and is simply repeated;
    /// - after a COMMIT or an autocommit statement was sent, its reply may have been lost after the server
    ///   committed. The work is repeated only once the first run's server process is gone, so its outcome is
    ///   final and visible, and every unit of work recognises its own committed effect when run again (it
    ///   answers as the first run would have). When that cannot be made sure, the outcome is unknown.
    /// A database that is really down fails the second try at once. Without `afterCommit`, a run that may have
    /// committed is not repeated: its outcome is unknown.
    func rerunIfInterrupted<T>(afterCommit: Bool, _ work: () throws(StoreError) -> T) throws(StoreError) -> T {
        let hadConnection = handle != nil
        mayHaveCommitted = false
        isRerun = false
        do {
            return try work()
        } catch {
            guard error.code == .unavailable, mayHaveCommitted || hadConnection else { throw error }
            let firstMayHaveCommitted = mayHaveCommitted
            if firstMayHaveCommitted && !afterCommit {
                throw StoreError(.outcomeUnknown, "the connection broke after a commit was sent; whether it committed is unknown")
            }
            try awaitEnd(of: backend, afterCommit: firstMayHaveCommitted)
            return try runAgain(work, afterCommit: firstMayHaveCommitted)
        }
    }

    /// The second run. Once a run may have committed, nothing that goes wrong afterwards can prove it did
    /// not: every failure is an unknown outcome, never "nothing was changed".
    private func runAgain<T>(_ work: () throws(StoreError) -> T, afterCommit firstMayHaveCommitted: Bool) throws(StoreError) -> T {
        mayHaveCommitted = false
        isRerun = true
        defer { isRerun = false }
        do {
            return try work()
        } catch {
            guard firstMayHaveCommitted || (mayHaveCommitted && error.code == .unavailable) else { throw error }
            throw StoreError(.outcomeUnknown, "a run again after a broken connection failed too (\(error.code.rawValue)): whether the first committed is unknown")
        }
    }

    /// Waits until `previous`, the server process of a connection that broke, has ended (ending it if it sits
    /// idle), on a new connection. Its transaction is then committed or rolled back for good, and the locks it
    /// held are free. Also after a break before any commit: a half-open backend would otherwise keep its row
    /// locks until the server's keepalive gives up.
    /// `afterCommit` is taken from the broken run: the queries made here clear `mayHaveCommitted` as they answer.
    private func awaitEnd(of previous: BackendIdentity?, afterCommit: Bool) throws(StoreError) {
        let unknown = StoreError(.outcomeUnknown, "the connection broke after a commit was sent; whether it committed is unknown")
        guard let previous else { throw afterCommit ? unknown : StoreError(.unavailable, "the connection broke") }
        do {
            try ensureConnected()
            for attempt in 0..<250 {
                guard try previous.isRunning(on: self, terminateIfIdle: attempt >= 25) else { return }
                usleep(20_000)
            }
        } catch where !afterCommit {
            throw error
        } catch {}
        throw afterCommit ? unknown : StoreError(.unavailable, "the server process of a broken connection did not end")
    }

    var isBroken: Bool { handle.map { PQstatus($0) != CONNECTION_OK } ?? true }

    private func check(_ result: OpaquePointer?) throws(StoreError) -> PGResult {
        guard let result else {
            throw StoreError(.unavailable, "no answer from the database: \(handle.map { Self.firstLine(PQerrorMessage($0)) } ?? "")")
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
            mayHaveCommitted = false
            return PGResult(consuming: result)
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            // The server's own error (it carries an SQLSTATE; one libpq makes up for a lost connection has none):
            // the statement failed and committed nothing, even if the connection then closed (57P01 at a shutdown).
            if state != nil { mayHaveCommitted = false }
            let constraint = PQresultErrorField(result, Int32(UInt8(ascii: "n"))).map { String(cString: $0) }
            let column = PQresultErrorField(result, Int32(UInt8(ascii: "c"))).map { String(cString: $0) }
            let message = Self.firstLine(PQresultErrorMessage(result))
            PQclear(result)
            throw StoreError(
                Self.code(sqlState: state, broken: isBroken), message, sqlState: state, constraint: constraint, column: column)
        }
    }

    private static func code(sqlState: String?, broken: Bool) -> StoreError.Code {
        if broken { return .unavailable }
        switch sqlState {
        case "23505": return .uniqueViolation
        case "40001", "40P01": return .serializationFailure
        case let s? where s.hasPrefix("08") || s.hasPrefix("57P"): return .unavailable
        default: return .queryFailed
        }
    }

    private static func firstLine(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "" }
        return String(cString: message).split(separator: "\n").first.map(String.init) ?? ""
    }
}

/// Lends `strings` to C as a `const char * const *` for the duration of `body`. A C string ends at its first
/// NUL, so a parameter holding one would reach the server cut short: it is refused instead, as the data
/// exception PostgreSQL raises for a NUL in text (SQLSTATE 22021), before anything is sent.
private func withCStrings<R>(
    _ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R
) throws(StoreError) -> R {
    for case let string? in strings where string.utf8.contains(0) {
        throw StoreError(.queryFailed, "a parameter holds a NUL character", sqlState: "22021")
    }
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0) } }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer($0) }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
}

/// A server process, told apart from a later one that reuses its pid by its start time.
struct BackendIdentity {
    var pid: String
    var start: String

    static func read(_ connection: PGConnection) throws(StoreError) -> BackendIdentity {
        let row = try connection.execute(
            "SELECT pg_backend_pid()::text AS pid, backend_start::text AS start FROM pg_stat_activity WHERE pid = pg_backend_pid()")[0]
        return BackendIdentity(pid: try row.requiredString("pid"), start: try row.requiredString("start"))
    }

    /// Whether the process still runs; with `terminateIfIdle`, it is asked to end when it sits idle (its open
    /// transaction rolls back). One that is working, a commit waiting for a synchronous standby included, is
    /// left alone: ending that wait would make a commit visible that a failover could still lose.
    func isRunning(on connection: PGConnection, terminateIfIdle: Bool) throws(StoreError) -> Bool {
        if terminateIfIdle {
            _ = try connection.execute(
                """
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE pid = \(pid)::int AND backend_start = \(start)::timestamptz AND state LIKE 'idle%'
                """)
        }
        return try !connection.execute(
            "SELECT 1 FROM pg_stat_activity WHERE pid = \(pid)::int AND backend_start = \(start)::timestamptz").isEmpty
    }
}
