import CLibPQ
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// One dedicated libpq connection that `LISTEN`s on a channel, on its own thread: it waits in `poll()` on the
/// connection's socket (and a pipe that `stop()` writes to), so it never blocks Swift's cooperative pool.
/// It reconnects with backoff when the connection fails, and calls `onNotify` after each reconnect too (for
/// everyone), since notifications sent while it was away are lost. Each call says whom the notifications
/// read together concern (their payloads, `Addressees`).
public final class NotificationListener: @unchecked Sendable {
    private let conninfo: String
    private let channel: String
    private let logger: Logger
    private let onNotify: @Sendable (Addressees) -> Void
    /// `stop()` writes a byte to `wake.write` to interrupt the thread's `poll()`.
    private let wake: (read: Int32, write: Int32)
    /// Guarded by `lock`.
    private var state = State.idle
    private let lock = NSLock()

    private enum State { case idle, running, stopping }

    /// `url` is a libpq URI (`DATABASE_URL`); `channel` must be a plain SQL identifier.
    public init(url: String, channel: String, logger: Logger, onNotify: @escaping @Sendable (Addressees) -> Void) {
        conninfo = Database.conninfo(url)
        self.channel = channel
        self.logger = logger
        self.onNotify = onNotify
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        }
        wake = (fds[0], fds[1])
    }

    deinit {
        close(wake.read)
        close(wake.write)
    }

    /// Starts the listening thread (once).
    public func start() {
        let starting = lock.withLock {
            guard state == .idle else { return false }
            state = .running
            return true
        }
        guard starting else { return }
        let thread = Thread { [self] in run() }
        thread.name = "pg-listen"
        thread.start()
    }

    /// Asks the thread to close its connection and end; returns at once.
    public func stop() {
        lock.withLock { state = .stopping }
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
    }

    private var isStopping: Bool { lock.withLock { state == .stopping } }

    private func run() {
        var connection: OpaquePointer?
        var retryDelay = 100
        while !isStopping {
            guard let live = connection else {
                do throws(StoreError) {
                    connection = try connect()
                    retryDelay = 100
                    onNotify(.everyone)
                } catch {
                    logger.warning("event listener cannot connect; retrying", metadata: ["error": "\(error)", "retry_ms": "\(retryDelay)"])
                    waitForWake(timeoutMilliseconds: retryDelay)
                    retryDelay = min(retryDelay * 2, 5000)
                }
                continue
            }
            guard waitForInput(on: live), !isStopping else { continue }
            guard PQconsumeInput(live) == 1, PQstatus(live) == CONNECTION_OK else {
                logger.warning("event listener lost its connection; reconnecting", metadata: ["error": "\(Self.message(live))"])
                PQfinish(live)
                connection = nil
                continue
            }
            if let heard = Self.notifications(on: live) { onNotify(heard) }
        }
        if let connection { PQfinish(connection) }
        logger.debug("event listener stopped")
    }

    /// Whom the notifications received so far concern, all together; nil when none came.
    private static func notifications(on connection: OpaquePointer) -> Addressees? {
        var heard: Addressees?
        while let notification = PQnotifies(connection) {
            let named = notification.pointee.extra.map { Addressees(payload: String(cString: $0)) } ?? .everyone
            heard = heard?.union(named) ?? named
            PQfreemem(notification)
        }
        return heard
    }

    private func connect() throws(StoreError) -> OpaquePointer {
        guard let connection = PQconnectdb(conninfo) else { throw StoreError(.unavailable, "out of memory") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.message(connection)
            PQfinish(connection)
            throw StoreError(.unavailable, "cannot connect to the database: \(message)")
        }
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        let result = PQexec(connection, "LISTEN \(channel)")
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else {
            let message = Self.message(connection)
            PQfinish(connection)
            throw StoreError(.queryFailed, "LISTEN \(channel) failed: \(message)")
        }
        return connection
    }

    /// Waits until the socket is readable (true) or `stop()` woke the thread (false).
    private func waitForInput(on connection: OpaquePointer) -> Bool {
        var fds = [
            pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0),
            pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0),
        ]
        let ready = poll(&fds, 2, -1)
        if fds[1].revents != 0 { drainWake() }
        return ready > 0 && fds[0].revents != 0
    }

    private func waitForWake(timeoutMilliseconds: Int) {
        var fd = pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)
        if poll(&fd, 1, Int32(timeoutMilliseconds)) > 0 { drainWake() }
    }

    private func drainWake() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wake.read, &buffer, buffer.count) > 0 {}
    }

    private static func message(_ connection: OpaquePointer) -> String {
        guard let text = PQerrorMessage(connection) else { return "" }
        return String(cString: text).split(separator: "\n").first.map(String.init) ?? ""
    }
}
