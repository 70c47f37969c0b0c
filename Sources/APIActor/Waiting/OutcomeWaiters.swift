import ServiceLifecycle
import Store

/// The `Prefer: wait` requests of this process, each waiting on one payment. A request registers, reads the
/// record (or starts from the state its caller knows), and reads it again only when woken: by a notice from
/// this process's worker for its payment (the moment the outcome is committed; a notice that carries the
/// payment as committed answers without a read), or by an event NOTIFY naming its payment or everyone
/// (another instance's worker did the work), and once more when its limit passes. It does not poll
/// (`backstop` says what the one slow timer is for).
public actor OutcomeWaiters: Service {
    private struct Waiter {
        /// A notice, or nil for a NOTIFY or the timer.
        let wake: AsyncStream<OutcomeNotice?>.Continuation
        let timer: Task<Void, Never>
    }

    private let notices: AsyncStream<OutcomeNotice>?
    private let notifications: AsyncStream<Addressees>
    /// A safety net, not the way outcomes arrive: the NOTIFY is sent after the commit, in a statement of its own
    /// that may fail (a database blip, a pool at its limit), and then no instance hears of that outcome. A read
    /// every `backstop` bounds how late such an answer can be.
    private let backstop: Duration
    private var waiting: [String: [Int: Waiter]] = [:]
    private var nextId = 0
    /// The notices and the payments NOTIFYs named lately (a NOTIFY's as a notice of ids only), for the waiters
    /// that skip their first read: the intake hands the operation to the worker before its request registers.
    private var recent: RecentNotices
    /// When a NOTIFY for everyone came last: a waiter skipping its first read that registers within `backstop`
    /// of it reads at once (it cannot tell whether it was concerned; beyond, its backstop is as good).
    private var everyoneAt: ContinuousClock.Instant?

    /// `notices`: this process's worker's outcome stream (nil: no worker runs here). `signal`: the event NOTIFY's.
    public init(notices: AsyncStream<OutcomeNotice>?, signal: EventSignal, backstop: Duration = .seconds(1), remembering: Int = 1024) {
        self.notices = notices
        notifications = signal.subscribe()
        self.backstop = backstop
        recent = RecentNotices(capacity: remembering)
    }

    /// Hands the notices and the NOTIFY wake-ups to the waiters until graceful shutdown (or the signal closes).
    public func run() async {
        await withDiscardingTaskGroup { group in
            if let notices {
                group.addTask { for await notice in notices.cancelOnGracefulShutdown() { await self.deliver(notice) } }
            }
            group.addTask { [notifications] in
                for await addressees in notifications.cancelOnGracefulShutdown() { await self.wake(addressees) }
            }
        }
        // The signal closes first at shutdown (its listener stops before the API): a service group takes an end
        // before it is asked to stop as a failure.
        try? await gracefulShutdown()
    }

    /// Reads with `read` until `done` holds or `limit` passes, and returns the last read. `read` is given what
    /// woke it: the notice, or nil (the first read, a NOTIFY, the timer). Registered before the first read, so
    /// an outcome committed between that read and the wait is not missed. With `initial` (the state its caller
    /// knows) it makes no first read, and a recent notice for the payment wakes it at once. A cancelled request
    /// (the client went away) stops waiting at once and leaves nothing registered.
    public nonisolated func wait<T, E: Error>(
        for paymentId: String, limit: Duration, initial: T? = nil, read: (OutcomeNotice?) async throws(E) -> T, until done: (T) -> Bool
    ) async throws(E) -> T {
        let deadline = ContinuousClock.now + limit
        let (id, wakes) = await register(paymentId, until: deadline, catchingUp: initial != nil)
        do {
            let value = try await reading(wakes, from: initial, until: deadline, read: read, done: done)
            await remove(id, of: paymentId)
            return value
        } catch {
            await remove(id, of: paymentId)
            throw error
        }
    }

    /// How many requests are waiting (for the tests).
    public var count: Int { waiting.values.reduce(0) { $0 + $1.count } }

    /// How many payments told of lately are remembered (for the tests).
    var remembered: Int { recent.count }

    private nonisolated func reading<T, E: Error>(
        _ wakes: AsyncStream<OutcomeNotice?>, from initial: T?, until deadline: ContinuousClock.Instant,
        read: (OutcomeNotice?) async throws(E) -> T, done: (T) -> Bool
    ) async throws(E) -> T {
        var value: T
        if let initial { value = initial } else { value = try await read(nil) }
        var pending = wakes.makeAsyncIterator()
        // `next()` is nil once the request is cancelled.
        while !done(value), ContinuousClock.now < deadline, let wake = await pending.next() {
            value = try await read(wake)
        }
        return value
    }

    private func register(
        _ paymentId: String, until deadline: ContinuousClock.Instant, catchingUp: Bool
    ) -> (Int, AsyncStream<OutcomeNotice?>) {
        let (wakes, wake) = AsyncStream<OutcomeNotice?>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = nextId
        nextId += 1
        let timer = Task { [backstop] in
            var next = ContinuousClock.now
            repeat {
                next = min(next + backstop, deadline)
                do { try await Task.sleep(until: next, clock: .continuous) } catch { return }
                wake.yield(nil)
            } while next < deadline
        }
        waiting[paymentId, default: [:]][id] = Waiter(wake: wake, timer: timer)
        if catchingUp { catchUp(paymentId, wake) }
        return (id, wakes)
    }

    /// Wakes a waiter that made no first read with what it may have missed.
    private func catchUp(_ paymentId: String, _ wake: AsyncStream<OutcomeNotice?>.Continuation) {
        if let told = recent.notice(for: paymentId) {
            wake.yield(told)
        } else if let everyoneAt, ContinuousClock.now - everyoneAt < backstop {
            wake.yield(nil)
        }
    }

    private func remove(_ id: Int, of paymentId: String) {
        guard let waiter = waiting[paymentId]?.removeValue(forKey: id) else { return }
        if waiting[paymentId]?.isEmpty == true { waiting[paymentId] = nil }
        waiter.timer.cancel()
        waiter.wake.finish()
    }

    private func deliver(_ notice: OutcomeNotice) {
        recent.remember(notice)
        wake(waitersOf: notice.paymentId, with: notice)
    }

    private func wake(_ addressees: Addressees) {
        switch addressees {
        case .everyone:
            everyoneAt = .now
            for paymentId in waiting.keys { wake(waitersOf: paymentId, with: nil) }
        case .payments(let paymentIds):
            for paymentId in paymentIds {
                recent.remember(OutcomeNotice(paymentId: paymentId))
                wake(waitersOf: paymentId, with: nil)
            }
        }
    }

    private func wake(waitersOf paymentId: String, with notice: OutcomeNotice?) {
        guard let waiters = waiting[paymentId] else { return }
        for waiter in waiters.values { waiter.wake.yield(notice) }
    }
}

extension OutcomeWaiters {
    /// `wait` for a route: a read that fails is the problem its client sees.
    nonisolated func answer<T>(
        for paymentId: String, limit: Duration, initial: T? = nil, read: (OutcomeNotice?) async throws(StoreError) -> T,
        until done: (T) -> Bool
    ) async throws(APIProblem) -> T {
        try await stored { () async throws(StoreError) in
            try await wait(for: paymentId, limit: limit, initial: initial, read: read, until: done)
        }
    }
}
