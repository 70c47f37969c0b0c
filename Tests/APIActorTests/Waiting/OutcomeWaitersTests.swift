import Foundation
import Payments
import Store
import Testing
@testable import APIActor

/// The waiters with a fake record (no database): what wakes a waiter, what does not, and what is left behind.
@Suite("Outcome waiters")
struct OutcomeWaitersTests {
    /// Each payment's state as a number; every read is counted.
    actor FakeRecord {
        private var values: [String: Int] = [:]
        private(set) var reads: [String: Int] = [:]

        func read(_ id: String) -> Int {
            reads[id, default: 0] += 1
            return values[id, default: 0]
        }

        func set(_ id: String, _ value: Int) { values[id] = value }
        func readCount(_ id: String) -> Int { reads[id, default: 0] }
    }

    /// Waiters consuming `notices` and `signal`; the backstop is far off, so only what a test sends wakes them.
    struct Bed {
        let record = FakeRecord()
        let signal = EventSignal()
        let notices: AsyncStream<OutcomeNotice>
        let publish: AsyncStream<OutcomeNotice>.Continuation
        let waiters: OutcomeWaiters

        init() {
            (notices, publish) = OutcomeNotice.makeStream()
            waiters = OutcomeWaiters(notices: notices, signal: signal, backstop: .seconds(60))
        }

        /// A waiter on `id` until its state reaches `done`, in a task of its own; with `initial`, it makes no first read.
        func waiter(_ id: String, until done: Int = 1, limit: Duration = .seconds(30), initial: Int? = nil) -> Task<Int, Never> {
            Task { [record, waiters] in
                await waiters.wait(for: id, limit: limit, initial: initial) { _ in await record.read(id) } until: { $0 >= done }
            }
        }

        /// Returns once `count` waiters are registered.
        func registered(_ count: Int) async -> Bool { await eventually { await waiters.count == count } }

        /// Returns once the waiters remember `count` payments told of.
        func remembered(_ count: Int) async -> Bool { await eventually { await waiters.remembered == count } }

        /// Whether `condition` comes to hold within 5 s.
        private func eventually(_ condition: () async -> Bool) async -> Bool {
            let deadline = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < deadline {
                if await condition() { return true }
                try? await Task.sleep(for: .milliseconds(1))
            }
            return false
        }

        /// Returns once `count` waiters are registered and each has made its first read.
        func registered(_ count: Int, reading ids: [String]) async -> Bool {
            let deadline = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < deadline {
                var read = true
                for id in ids {
                    if await record.readCount(id) == 0 { read = false }
                }
                if await waiters.count == count, read { return true }
                try? await Task.sleep(for: .milliseconds(1))
            }
            return false
        }

        func run<T>(_ body: (Bed) async throws -> T) async rethrows -> T {
            let running = Task { [waiters] in await waiters.run() }
            defer { running.cancel() }
            return try await body(self)
        }
    }

    @Test("a notice wakes the waiter of its payment, at once, and no other")
    func noticeWakesItsWaiter() async throws {
        try await Bed().run { bed in
            let (a, b) = ("pay-a", "pay-b")
            let waitingA = bed.waiter(a)
            let waitingB = bed.waiter(b)
            #expect(await bed.registered(2, reading: [a, b]))
            await bed.record.set(a, 1)
            let sent = ContinuousClock.now
            bed.publish.yield(OutcomeNotice(paymentId: a, operationId: 7))
            #expect(await waitingA.value == 1)
            #expect(ContinuousClock.now - sent < .milliseconds(500))
            #expect(await bed.record.readCount(a) == 2)
            try await Task.sleep(for: .milliseconds(50))
            #expect(await bed.record.readCount(b) == 1, "the other payment's waiter read again")
            #expect(await bed.waiters.count == 1)
            waitingB.cancel()
            #expect(await waitingB.value == 0)
        }
    }

    @Test("a notice whose outcome is not the one waited for (a retry) is read and waited past")
    func noticeOfAnotherOutcome() async throws {
        try await Bed().run { bed in
            let id = "pay-retry"
            let waiting = bed.waiter(id, until: 2)
            #expect(await bed.registered(1, reading: [id]))
            await bed.record.set(id, 1)
            bed.publish.yield(OutcomeNotice(paymentId: id, operationId: 1))
            while await bed.record.readCount(id) < 2 { try await Task.sleep(for: .milliseconds(1)) }
            #expect(await bed.waiters.count == 1)
            await bed.record.set(id, 2)
            bed.publish.yield(OutcomeNotice(paymentId: id, operationId: 1))
            #expect(await waiting.value == 2)
            #expect(await bed.record.readCount(id) == 3)
        }
    }

    @Test("an event NOTIFY for everyone (`*`) wakes every waiter to read again")
    func notifyWakesAll() async throws {
        await Bed().run { bed in
            let ids = ["pay-1", "pay-2", "pay-3"]
            let tasks = ids.map { bed.waiter($0) }
            #expect(await bed.registered(3, reading: ids))
            for id in ids { await bed.record.set(id, 1) }
            bed.signal.notify(.everyone)
            for task in tasks { #expect(await task.value == 1) }
            for id in ids { #expect(await bed.record.readCount(id) == 2) }
            #expect(await bed.waiters.count == 0)
        }
    }

    @Test("a waiter registered after its outcome is answered by its first read, with nothing to wake it")
    func outcomeAlreadyRecorded() async throws {
        await Bed().run { bed in
            await bed.record.set("pay-done", 1)
            let started = ContinuousClock.now
            #expect(await bed.waiter("pay-done").value == 1)
            #expect(ContinuousClock.now - started < .milliseconds(500))
            #expect(await bed.record.readCount("pay-done") == 1)
            #expect(await bed.waiters.count == 0)
        }
    }

    @Test("when the limit passes, the record is read once more and returned as it stands")
    func limitReturnsCurrentState() async throws {
        await Bed().run { bed in
            let id = "pay-slow"
            let started = ContinuousClock.now
            let waiting = bed.waiter(id, until: 100, limit: .milliseconds(150))
            #expect(await bed.registered(1, reading: [id]))
            // Changed without a notice: only the read at the limit sees it.
            await bed.record.set(id, 7)
            #expect(await waiting.value == 7)
            #expect(ContinuousClock.now - started >= .milliseconds(150))
            #expect(await bed.record.readCount(id) == 2)
            #expect(await bed.waiters.count == 0)
        }
    }

    @Test("a cancelled request (its client went away) stops waiting at once and leaves no waiter behind")
    func cancellationRemovesTheWaiter() async throws {
        try await Bed().run { bed in
            let waiting = bed.waiter("pay-gone")
            #expect(await bed.registered(1, reading: ["pay-gone"]))
            let cancelled = ContinuousClock.now
            waiting.cancel()
            #expect(await waiting.value == 0)
            #expect(ContinuousClock.now - cancelled < .milliseconds(500))
            #expect(await bed.waiters.count == 0)
            // A notice for it now finds nobody.
            bed.publish.yield(OutcomeNotice(paymentId: "pay-gone"))
            try await Task.sleep(for: .milliseconds(20))
            #expect(await bed.record.readCount("pay-gone") == 1)
        }
    }

    @Test("the backstop reads again when nothing wakes the waiter (a NOTIFY that was lost)")
    func backstopReadsAgain() async throws {
        let record = FakeRecord()
        let waiters = OutcomeWaiters(notices: nil, signal: EventSignal(), backstop: .milliseconds(50))
        let waiting = Task { await waiters.wait(for: "pay-lost", limit: .seconds(10)) { _ in await record.read("pay-lost") } until: { $0 >= 1 } }
        while await record.readCount("pay-lost") == 0 { try await Task.sleep(for: .milliseconds(1)) }
        await record.set("pay-lost", 1)
        #expect(await waiting.value == 1)
        #expect(await record.readCount("pay-lost") == 2)
    }

    @Test("an event NOTIFY wakes the waiters of the payments it names (another instance did the work), and no other")
    func notifyWakesThoseNamed() async throws {
        try await Bed().run { bed in
            let (a, b) = ("pay-named", "pay-other")
            let waitingA = bed.waiter(a)
            let waitingB = bed.waiter(b)
            #expect(await bed.registered(2, reading: [a, b]))
            await bed.record.set(a, 1)
            await bed.record.set(b, 1)
            bed.signal.notify(.payments([a, "pay-nobody-waits-for"]))
            #expect(await waitingA.value == 1)
            bed.signal.notify(.nobody)
            try await Task.sleep(for: .milliseconds(50))
            #expect(await bed.record.readCount(b) == 1, "a NOTIFY naming another payment woke it")
            bed.signal.notify(.payments([b]))
            #expect(await waitingB.value == 1)
            #expect(await bed.record.readCount(b) == 2)
        }
    }

    @Test("a notice carrying the payment as committed answers the waiter without a read")
    func noticeWithThePayment() async {
        await Bed().run { bed in
            let id = "pay-carried"
            let reads = FakeRecord()
            let waiting = Task { [waiters = bed.waiters] in
                await waiters.wait(for: id, limit: .seconds(30), initial: Self.payment(id, .requested)) { notice in
                    if let settled = notice?.payment, settled.status != .requested { return settled }
                    _ = await reads.read(id)
                    return Self.payment(id, .requested)
                } until: { $0.status != .requested }
            }
            #expect(await bed.registered(1))
            bed.publish.yield(OutcomeNotice(paymentId: id, operationId: 3, payment: Self.payment(id, .authorized)))
            #expect(await waiting.value.status == .authorized)
            #expect(await reads.readCount(id) == 0, "it read though the notice carried the payment")
            #expect(await bed.waiters.count == 0)
        }
    }

    @Test("a waiter that knows the state makes no first read and waits for a wake-up")
    func initialStateIsNotRead() async throws {
        try await Bed().run { bed in
            let id = "pay-known"
            let waiting = bed.waiter(id, initial: 0)
            #expect(await bed.registered(1))
            try await Task.sleep(for: .milliseconds(50))
            #expect(await bed.record.readCount(id) == 0)
            await bed.record.set(id, 1)
            bed.publish.yield(OutcomeNotice(paymentId: id, operationId: 1))
            #expect(await waiting.value == 1)
            #expect(await bed.record.readCount(id) == 1)
        }
    }

    @Test("a waiter that knows the state, registered after a notice for its payment (the worker was quicker), is woken at once")
    func registeredAfterItsNotice() async {
        await Bed().run { bed in
            let (id, carried) = ("pay-early", "pay-early-carried")
            await bed.record.set(id, 1)
            bed.publish.yield(OutcomeNotice(paymentId: id, operationId: 1))
            bed.publish.yield(OutcomeNotice(paymentId: carried, operationId: 2, payment: Self.payment(carried, .authorized)))
            #expect(await bed.remembered(2))
            let started = ContinuousClock.now
            #expect(await bed.waiter(id, initial: 0).value == 1)
            #expect(ContinuousClock.now - started < .milliseconds(500))
            #expect(await bed.record.readCount(id) == 1)

            let answered = await bed.waiters.wait(for: carried, limit: .seconds(30), initial: Self.payment(carried, .requested)) { notice in
                notice?.payment ?? Self.payment(carried, .requested)
            } until: { $0.status != .requested }
            #expect(answered.status == .authorized)
            #expect(ContinuousClock.now - started < .milliseconds(500))
        }
    }

    @Test("a waiter that knows the state, registered after a NOTIFY naming its payment, is woken at once; one naming another is no wake-up")
    func registeredAfterItsNotify() async throws {
        try await Bed().run { bed in
            let (id, other) = ("pay-notified", "pay-unnamed")
            await bed.record.set(id, 1)
            await bed.record.set(other, 1)
            bed.signal.notify(.payments([id]))
            #expect(await bed.remembered(1))
            let started = ContinuousClock.now
            #expect(await bed.waiter(id, initial: 0).value == 1)
            #expect(ContinuousClock.now - started < .milliseconds(500))
            let waitingOther = bed.waiter(other, initial: 0)
            #expect(await bed.registered(1))
            try await Task.sleep(for: .milliseconds(50))
            #expect(await bed.record.readCount(other) == 0)
            waitingOther.cancel()
            #expect(await waitingOther.value == 0)
        }
    }

    @Test("a waiter that knows the state, registered just after a NOTIFY for everyone, reads at once")
    func registeredAfterEveryone() async throws {
        try await Bed().run { bed in
            let id = "pay-everyone"
            await bed.record.set(id, 1)
            let reference = bed.waiter("pay-reference")
            #expect(await bed.registered(1, reading: ["pay-reference"]))
            bed.signal.notify(.everyone)
            while await bed.record.readCount("pay-reference") < 2 { try await Task.sleep(for: .milliseconds(1)) }
            #expect(await bed.waiter(id, initial: 0).value == 1)
            #expect(await bed.record.readCount(id) == 1)
            reference.cancel()
        }
    }

    @Test("the memory of recent notices keeps the last ones, the oldest dropped first")
    func recentNoticesAreBounded() {
        var recent = RecentNotices(capacity: 3)
        for id in ["a", "b", "c"] { recent.remember(OutcomeNotice(paymentId: id)) }
        recent.remember(OutcomeNotice(paymentId: "a", operationId: 2))
        // "a" was told again: its first telling dropping out does not forget it.
        recent.remember(OutcomeNotice(paymentId: "d"))
        #expect(recent.notice(for: "a")?.operationId == 2)
        #expect(recent.notice(for: "b") == nil)
        #expect(recent.notice(for: "c") != nil)
        #expect(recent.count == 3)
        for id in ["e", "f"] { recent.remember(OutcomeNotice(paymentId: id)) }
        #expect(recent.notice(for: "a") == nil)
        #expect(recent.notice(for: "c") == nil)
        #expect(recent.count == 3)
    }

    static func payment(_ id: String, _ status: PaymentStatus) -> Payment {
        Payment(
            paymentId: id, cartId: "cart", orderId: "order", customerId: nil, amount: 1000, currency: "USD", status: status,
            capture: .manual, createdAt: "2026-01-01T00:00:00.000Z", updatedAt: "2026-01-01T00:00:00.000Z")
    }
}
