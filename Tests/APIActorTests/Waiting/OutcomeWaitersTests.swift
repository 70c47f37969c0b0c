import Foundation
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

        /// A waiter on `id` until its state reaches `done`, in a task of its own.
        func waiter(_ id: String, until done: Int = 1, limit: Duration = .seconds(30)) -> Task<Int, Never> {
            Task { [record, waiters] in
                await waiters.wait(for: id, limit: limit) { await record.read(id) } until: { $0 >= done }
            }
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

    @Test("the event NOTIFY wakes every waiter to read again (another instance did the work)")
    func notifyWakesAll() async throws {
        await Bed().run { bed in
            let ids = ["pay-1", "pay-2", "pay-3"]
            let tasks = ids.map { bed.waiter($0) }
            #expect(await bed.registered(3, reading: ids))
            for id in ids { await bed.record.set(id, 1) }
            bed.signal.notify()
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
        let waiting = Task { await waiters.wait(for: "pay-lost", limit: .seconds(10)) { await record.read("pay-lost") } until: { $0 >= 1 } }
        while await record.readCount("pay-lost") == 0 { try await Task.sleep(for: .milliseconds(1)) }
        await record.set("pay-lost", 1)
        #expect(await waiting.value == 1)
        #expect(await record.readCount("pay-lost") == 2)
    }
}
