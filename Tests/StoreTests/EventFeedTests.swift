import Dispatch
import Foundation
import Logging
import Payments
@testable import Store
import Testing
import TestSupport

/// The outbox feed: (xid, seq) order, served only below the oldest running transaction's xid.
@Suite("Events feed: paging, concurrent writers, the xmin rule")
struct EventFeedTests {
    @Test("cursors print as <xid>-<seq> and parse back; anything else is refused")
    func cursors() {
        #expect(EventCursor("1221-7") == EventCursor(xid: 1221, seq: 7))
        #expect(EventCursor(xid: 18_446_744_073_709_551_615, seq: 3).description == "18446744073709551615-3")
        #expect(EventCursor("0-0") == .start)
        for bad in ["", "1", "1-", "-1", "1-2-3", "a-1", "+1-2", "1- 2", "18446744073709551616-1", "1-9223372036854775808", "１-2"] {
            #expect(EventCursor(bad) == nil, "\(bad)")
        }
        #expect(EventCursor(xid: 2, seq: 1) > EventCursor(xid: 1, seq: 9))
    }

    /// The chaos run found it: the feed sorted by the `xid` text it returns, so on a young cluster xid 1006 came
    /// before 727 and a reader paging with `after` skipped every event between them.
    @Test("xids of different lengths are ordered as numbers, not as text, and paging over them skips nothing")
    func xidsAcrossAPowerOfTen() async throws {
        let db = try await TestDatabase.create()
        _ = try await db.column(
            """
            INSERT INTO events (xid, type, subject_id, payment_id, data)
            SELECT x::text::xid8, 'payment-requested', gen_random_uuid(), gen_random_uuid(), '{}'
            FROM unnest(ARRAY[3, 9, 10, 99, 100, 101]) AS x RETURNING seq
            """)
        let whole = try await db.database.events(after: .start, limit: 100).map(\.id.xid)
        // Below every running transaction's xid on any cluster, however young (the feed serves only those).
        #expect(whole == [3, 9, 10, 99, 100, 101])
        var paged: [UInt64] = []
        var cursor = EventCursor.start
        while let page = Optional(try await db.database.events(after: cursor, limit: 3)), let last = page.last {
            paged += page.map(\.id.xid)
            cursor = last.id
        }
        #expect(paged == whole)
    }

    @Test("paging with a small limit gives exactly the feed read whole")
    func paging() async throws {
        let db = try await TestDatabase.create()
        for batch in 0..<8 {
            try await db.database.transaction(rerun: .asIs) { tx throws(StoreError) in try tx.append((0..<(batch % 3 + 1)).map { _ in requested() }) }
        }
        let whole = try await awaitFeed(db.database, count: 15)
        #expect(whole.count == 15)
        #expect(whole.map(\.id) == whole.map(\.id).sorted())
        var paged: [FeedEvent] = []
        var cursor = EventCursor.start
        while true {
            let page = try await db.database.events(after: cursor, limit: 3)
            #expect(page.count <= 3)
            guard let last = page.last else { break }
            paged += page
            cursor = last.id
        }
        #expect(paged == whole)
        #expect(whole.allSatisfy { $0.type == "payment-requested" && $0.data.hasPrefix("{\"paymentId\":") })
        #expect(try await db.database.events(after: whole[5].id, limit: 2) == Array(whole[6...7]))
    }

    @Test("a reader paging while transactions commit out of order sees every event once, in one stable order")
    func concurrentWriters() async throws {
        let db = try await TestDatabase.create(poolSize: 12)
        let reader = Database(url: db.url, poolSize: 1, logger: Logger(label: "feed-reader"))
        let writers = 60
        let written = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<writers {
                    group.addTask {
                        try await db.database.transaction(rerun: .asIs) { tx throws(StoreError) in
                            if i % 4 == 0 {
                                // Takes its xid now, appends only after later transactions have committed.
                                try tx.execute("SELECT pg_current_xact_id()")
                                Thread.sleep(forTimeInterval: Double.random(in: 0.05...0.3))
                            }
                            try tx.append([requested()])
                            if i % 3 == 0 { Thread.sleep(forTimeInterval: Double.random(in: 0.01...0.2)) }
                        }
                    }
                    if i % 10 == 9 { try await Task.sleep(for: .milliseconds(20)) }
                }
                try await group.waitForAll()
            }
        }
        var seen: [FeedEvent] = []
        var cursor = EventCursor.start
        let deadline = ContinuousClock.now + .seconds(30)
        while seen.count < writers, ContinuousClock.now < deadline {
            let page = try await reader.events(after: cursor, limit: 7)
            if let last = page.last {
                seen += page
                cursor = last.id
            } else {
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        try await written.value
        #expect(try await reader.events(after: cursor, limit: 100).isEmpty)
        await reader.shutdown()

        #expect(seen.count == writers)
        #expect(Set(seen.map(\.id)).count == seen.count, "an event was served twice")
        #expect(seen.map(\.id) == seen.map(\.id).sorted(), "served out of (xid, seq) order")
        // Late appenders took small xids but large seqs: a reader paging by seq alone would have skipped them.
        #expect(seen.map(\.id.seq) != seen.map(\.id.seq).sorted(), "no transaction appended late: the test proved nothing")
        #expect(try await db.database.events(limit: 1000) == seen, "the order changed after the fact")
        let stored = try await db.column("SELECT count(*) FROM events")
        #expect(stored == [String(writers)])
    }

    @Test("an open transaction holds back its own events and every later xid's, even committed ones; none is skipped")
    func xminRule() async throws {
        let db = try await TestDatabase.create(poolSize: 4)
        try await db.database.transaction(rerun: .asIs) { tx throws(StoreError) in try tx.append([requested()]) }
        let before = try await awaitFeed(db.database, count: 1)

        // A takes its xid, then waits; B (a later xid) appends and commits meanwhile.
        let a = HeldTransaction(db.database) { tx throws(StoreError) in try tx.execute("SELECT pg_current_xact_id()") }
        await a.reached()
        let bEvent = requested()
        try await db.database.transaction(rerun: .asIs) { tx throws(StoreError) in try tx.append([bEvent]) }
        let committed = try await db.scalar("SELECT count(*) FROM events")
        #expect(committed == "2")
        let cursor = before[0].id
        #expect(try await db.database.events(after: cursor).isEmpty, "B is served while the older A may still append")
        #expect(try await db.database.events() == before)

        // A appends late and commits: both now come after the cursor handed out, A first (its xid is older).
        let aEvent = requested()
        try await a.finish { tx throws(StoreError) in try tx.append([aEvent]) }
        let after = try await awaitFeed(db.database, after: cursor, count: 2)
        #expect(after.map(\.data) == [aEvent.dataJSON, bEvent.dataJSON])
        #expect(after.allSatisfy { $0.id > cursor })
    }

    @Test("a transaction without an xid (read-only) holds nothing back; an aborted one leaves no event")
    func readersAndRollbacks() async throws {
        let db = try await TestDatabase.create(poolSize: 4)
        let reading = HeldTransaction(db.database) { tx throws(StoreError) in try tx.execute("SELECT count(*) FROM events") }
        await reading.reached()
        try await db.database.transaction(rerun: .asIs) { tx throws(StoreError) in try tx.append([requested()]) }
        let served = try await awaitFeed(db.database, count: 1)
        #expect(served.count == 1)
        try await reading.finish { _ throws(StoreError) in }

        await #expect(throws: StoreError.self) {
            try await db.database.transaction(rerun: .asIs) { tx throws(StoreError) in
                try tx.append([requested()])
                throw StoreError(.queryFailed, "rolled back on purpose")
            }
        }
        try await db.database.transaction(rerun: .asIs) { tx throws(StoreError) in try tx.append([requested()]) }
        let all = try await awaitFeed(db.database, count: 2)
        #expect(all.count == 2)
        #expect(all.first == served.first)
    }

    @Test("appending events notifies listeners on commit only, on every instance's listener")
    func notifications() async throws {
        let db = try await TestDatabase.create()
        let counter = NotificationCounter()
        let listeners = (0..<2).map { _ in
            NotificationListener(url: db.url, channel: EventFeed.channel, logger: Logger(label: "test-listener")) { _ in counter.add() }
        }
        listeners.forEach { $0.start() }
        defer { listeners.forEach { $0.stop() } }
        // Each listener wakes once on connecting (anything may have been missed before).
        #expect(await counter.waitFor(2))

        await #expect(throws: StoreError.self) {
            try await db.database.transaction(rerun: .asIs) { tx throws(StoreError) in
                try tx.append([requested()])
                throw StoreError(.queryFailed, "rolled back on purpose")
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(counter.value == 2, "a rolled-back append notified")

        let started = ContinuousClock.now
        try await db.database.transaction(rerun: .asIs) { tx throws(StoreError) in try tx.append([requested(), requested()]) }
        #expect(await counter.waitFor(4))
        #expect(ContinuousClock.now - started < .seconds(1))
    }

    @Test("a statement that writes events wakes an EventSignal's subscribers, its caller doing nothing for it")
    func writingEventsWakesSubscribers() async throws {
        let db = try await TestDatabase.create()
        let signal = EventSignal()
        let counter = NotificationCounter()
        let wakeups = signal.subscribe()
        let counting = Task { for await _ in wakeups { counter.add() } }
        let listener = NotificationListener(url: db.url, channel: EventFeed.channel, logger: Logger(label: "test-listener"), onNotify: signal.notify)
        listener.start()
        defer {
            listener.stop()
            signal.close()
            counting.cancel()
        }
        #expect(await counter.waitFor(1), "no wake-up on connecting")
        let payment = try #require(try await db.database.recordRequested(command(), newPaymentId: newId(), idempotencyKey: nil).payment)
        let op = try #require(try await db.scalar("SELECT id FROM operations WHERE payment_id = \(payment.paymentId)"))
        try await Task.sleep(for: .milliseconds(200))
        #expect(counter.value == 1, "a statement writing no event woke the streams")

        try await db.database.finishOperation(
            OperationLease(operationId: Int(op)!, generation: 0), paymentId: payment.paymentId, change: PaymentChange(status: .authorized),
            events: [.paymentSucceeded(
                paymentId: payment.paymentId, orderId: payment.orderId, amount: payment.amount, currency: payment.currency,
                processorReference: nil, succeededAt: "2026-01-01T00:00:00.000Z")],
            resolution: .done)
        // Well within the streams' 1 s poll: the wake-up came from the commit.
        #expect(await counter.waitFor(2, timeout: .milliseconds(800)), "writing an event woke no subscriber")
    }

    @Test("a listener whose connection is killed reconnects, wakes its streams, and hears later commits")
    func listenerReconnects() async throws {
        let db = try await TestDatabase.create()
        let counter = NotificationCounter()
        let listener = NotificationListener(url: db.url, channel: EventFeed.channel, logger: Logger(label: "test-listener")) { _ in counter.add() }
        listener.start()
        defer { listener.stop() }
        #expect(await counter.waitFor(1))
        let killed = try await db.column("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(db.name) AND query LIKE 'LISTEN %'")
        #expect(killed == ["t"])
        #expect(await counter.waitFor(2), "no wake-up after the reconnect")
        try await db.database.transaction(rerun: .asIs) { tx throws(StoreError) in try tx.append([requested()]) }
        #expect(await counter.waitFor(3), "no notification after the reconnect")
    }
}

// MARK: - Helpers

func requested() -> DomainEvent {
    .paymentRequested(
        paymentId: newId(), orderId: newId(), customerId: nil, amount: 1000, currency: "USD",
        requestedAt: "2026-01-01T00:00:00.000Z")
}

/// Reads the feed until it holds `count` events after `cursor`: other tests' transactions (xids are
/// cluster-wide) may hold the feed back for a moment.
func awaitFeed(_ database: Database, after cursor: EventCursor = .start, count: Int) async throws -> [FeedEvent] {
    let deadline = ContinuousClock.now + .seconds(10)
    var events = try await database.events(after: cursor, limit: 1000)
    while events.count < count, ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(20))
        events = try await database.events(after: cursor, limit: 1000)
    }
    return events
}

/// A transaction held open between two steps, on its connection's own thread (which it blocks, not the
/// cooperative pool).
final class HeldTransaction: Sendable {
    private let task: Task<Void, any Error>
    private let reachedSignal: AsyncStream<Void>
    private let gate = DispatchSemaphore(value: 0)
    private let second = Mutable<(@Sendable (Transaction) throws(StoreError) -> Void)?>(nil)

    init(_ database: Database, first: @escaping @Sendable (Transaction) throws(StoreError) -> Void) {
        let (reached, signal) = AsyncStream<Void>.makeStream()
        reachedSignal = reached
        let gate = gate, second = second
        task = Task {
            try await database.transaction(rerun: .asIs) { tx throws(StoreError) in
                try first(tx)
                signal.yield()
                signal.finish()
                gate.wait()
                try second.value?(tx)
            }
        }
    }

    func reached() async {
        for await _ in reachedSignal { return }
    }

    /// Runs `then` in the transaction and commits it.
    func finish(_ then: @escaping @Sendable (Transaction) throws(StoreError) -> Void) async throws {
        second.value = then
        gate.signal()
        try await task.value
    }
}

final class Mutable<T>: @unchecked Sendable {
    private var stored: T
    private let lock = NSLock()
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
    func mutate(_ change: (inout T) -> Void) { lock.withLock { change(&stored) } }
}

final class NotificationCounter: Sendable {
    private let count = Mutable(0)
    func add() { count.mutate { $0 += 1 } }
    var value: Int { count.value }

    func waitFor(_ target: Int, timeout: Duration = .seconds(5)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while value < target, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        return value >= target
    }
}
