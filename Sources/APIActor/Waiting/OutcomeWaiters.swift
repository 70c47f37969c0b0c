import ServiceLifecycle
import Store

/// The `Prefer: wait` requests of this process, each waiting on one payment. A request registers, reads the
/// record, and reads it again only when woken: by a notice from this process's worker for its payment (the
/// moment the outcome is committed), or by the event NOTIFY (another instance's worker did the work; every
/// waiter reads again), and once more when its limit passes. It does not poll (`backstop` says what the one
/// slow timer is for).
public actor OutcomeWaiters: Service {
    private struct Waiter {
        let wake: AsyncStream<Void>.Continuation
        let timer: Task<Void, Never>
    }

    private let notices: AsyncStream<OutcomeNotice>?
    private let notifications: AsyncStream<Void>
    /// A safety net, not the way outcomes arrive: the NOTIFY is sent after the commit, in a statement of its own
    /// that may fail (a database blip, a pool at its limit), and then no instance hears of that outcome. A read
    /// every `backstop` bounds how late such an answer can be.
    private let backstop: Duration
    private var waiting: [String: [Int: Waiter]] = [:]
    private var nextId = 0

    /// `notices`: this process's worker's outcome stream (nil: no worker runs here). `signal`: the event NOTIFY's.
    public init(notices: AsyncStream<OutcomeNotice>?, signal: EventSignal, backstop: Duration = .seconds(1)) {
        self.notices = notices
        notifications = signal.subscribe()
        self.backstop = backstop
    }

    /// Hands the notices and the NOTIFY wake-ups to the waiters until graceful shutdown (or the signal closes).
    public func run() async {
        await withDiscardingTaskGroup { group in
            if let notices {
                group.addTask { for await notice in notices.cancelOnGracefulShutdown() { await self.deliver(notice) } }
            }
            group.addTask { [notifications] in
                for await _ in notifications.cancelOnGracefulShutdown() { await self.wakeAll() }
            }
        }
        // The signal closes first at shutdown (its listener stops before the API): a service group takes an end
        // before it is asked to stop as a failure.
        try? await gracefulShutdown()
    }

    /// Reads with `read` until `done` holds or `limit` passes, and returns the last read. Registered before the
    /// first read, so an outcome committed between that read and the wait is not missed. A cancelled request
    /// (the client went away) stops waiting at once and leaves nothing registered.
    public nonisolated func wait<T, E: Error>(
        for paymentId: String, limit: Duration, read: () async throws(E) -> T, until done: (T) -> Bool
    ) async throws(E) -> T {
        let deadline = ContinuousClock.now + limit
        let (id, wakes) = await register(paymentId, until: deadline)
        do {
            let value = try await reading(wakes, until: deadline, read: read, done: done)
            await remove(id, of: paymentId)
            return value
        } catch {
            await remove(id, of: paymentId)
            throw error
        }
    }

    /// How many requests are waiting (for the tests).
    public var count: Int { waiting.values.reduce(0) { $0 + $1.count } }

    private nonisolated func reading<T, E: Error>(
        _ wakes: AsyncStream<Void>, until deadline: ContinuousClock.Instant, read: () async throws(E) -> T, done: (T) -> Bool
    ) async throws(E) -> T {
        var value = try await read()
        var pending = wakes.makeAsyncIterator()
        // `next()` is nil once the request is cancelled.
        while !done(value), ContinuousClock.now < deadline, await pending.next() != nil {
            value = try await read()
        }
        return value
    }

    private func register(_ paymentId: String, until deadline: ContinuousClock.Instant) -> (Int, AsyncStream<Void>) {
        let (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = nextId
        nextId += 1
        let timer = Task { [backstop] in
            var next = ContinuousClock.now
            repeat {
                next = min(next + backstop, deadline)
                do { try await Task.sleep(until: next, clock: .continuous) } catch { return }
                wake.yield()
            } while next < deadline
        }
        waiting[paymentId, default: [:]][id] = Waiter(wake: wake, timer: timer)
        return (id, wakes)
    }

    private func remove(_ id: Int, of paymentId: String) {
        guard let waiter = waiting[paymentId]?.removeValue(forKey: id) else { return }
        if waiting[paymentId]?.isEmpty == true { waiting[paymentId] = nil }
        waiter.timer.cancel()
        waiter.wake.finish()
    }

    private func deliver(_ notice: OutcomeNotice) {
        guard let waiters = waiting[notice.paymentId] else { return }
        for waiter in waiters.values { waiter.wake.yield() }
    }

    private func wakeAll() {
        for waiters in waiting.values {
            for waiter in waiters.values { waiter.wake.yield() }
        }
    }
}

extension OutcomeWaiters {
    /// `wait` for a route: a read that fails is the problem its client sees.
    nonisolated func answer<T>(
        for paymentId: String, limit: Duration, read: () async throws(StoreError) -> T, until done: (T) -> Bool
    ) async throws(APIProblem) -> T {
        try await stored { () async throws(StoreError) in try await wait(for: paymentId, limit: limit, read: read, until: done) }
    }
}
