/// A fixed set of connections, each on its own thread. Callers borrow one for a unit of work
/// (a statement or a whole transaction) and wait, up to `checkoutTimeout`, when all are busy. While the
/// database is known to be unreachable (the last unit of work found it so), a caller that finds no idle
/// connection fails at once instead of queueing behind connection attempts: an outage answers 503 fast.
public actor ConnectionPool {
    private var idle: [ConnectionThread]
    private var waiters: [(id: Int, continuation: CheckedContinuation<ConnectionThread?, Never>)] = []
    private var nextWaiterID = 0
    private let all: [ConnectionThread]
    private let checkoutTimeout: Duration
    /// The last unit of work found the database unreachable; cleared by the next one that reaches it.
    private var unreachable = false
    /// Shut down: its threads have ended, nothing more is lent.
    private var closed = false

    public init(conninfo: String, size: Int, checkoutTimeout: Duration = .seconds(5)) {
        all = (0..<max(1, size)).map { ConnectionThread(conninfo: conninfo, name: "pg-\($0)") }
        idle = all
        self.checkoutTimeout = checkoutTimeout
    }

    public var size: Int { all.count }
    public var inUse: Int { all.count - idle.count }

    /// Runs `body` on a borrowed connection's thread. It must not block on anything but the database.
    nonisolated func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (PGConnection) throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        let thread = try await checkout()
        let result: Result<T, StoreError>
        do throws(StoreError) {
            result = .success(try await thread.run(body))
        } catch {
            result = .failure(error)
        }
        let lostDatabase = if case .failure(let error) = result, error.code == .unavailable || error.code == .outcomeUnknown { true } else { false }
        await checkin(thread, reachable: !lostDatabase)
        return try result.get()
    }

    /// Ends every connection's thread once its work in hand is done; later callers fail at once (`unavailable`).
    public func shutdown() {
        closed = true
        all.forEach { $0.stop() }
        let waiting = waiters
        waiters.removeAll()
        for waiter in waiting { waiter.continuation.resume(returning: nil) }
    }

    private func checkout() async throws(StoreError) -> ConnectionThread {
        if closed { throw Self.shutDown }
        if let thread = idle.popLast() { return thread }
        if unreachable {
            throw StoreError(.unavailable, "the database is unreachable")
        }
        let id = nextWaiterID
        nextWaiterID += 1
        let timeout = checkoutTimeout
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.expire(waiter: id)
        }
        let thread = await withCheckedContinuation { waiters.append((id, $0)) }
        timer.cancel()
        guard let thread else {
            throw closed ? Self.shutDown : StoreError(.unavailable, "no database connection free within \(timeout)")
        }
        return thread
    }

    private static let shutDown = StoreError(.unavailable, "the database client has shut down")

    private func checkin(_ thread: ConnectionThread, reachable: Bool) {
        unreachable = !reachable
        if waiters.isEmpty {
            idle.append(thread)
        } else {
            waiters.removeFirst().continuation.resume(returning: thread)
        }
    }

    private func expire(waiter id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: nil)
    }
}
