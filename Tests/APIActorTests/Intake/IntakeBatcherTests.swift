import Foundation
import Logging
import Payments
import ServiceLifecycle
import Store
import Testing
@testable import APIActor

/// The intake actor against a fake store: what it groups into one commit, and how a failed group is split.
@Suite("intake actor")
struct IntakeBatcherTests {
    /// Records every batch and single command; the first batch can be held in flight until released.
    actor FakeIntakeStore: IntakeStore {
        private(set) var batches: [[IntakeCommand]] = []
        private(set) var alone: [IntakeCommand] = []
        private var gate: CheckedContinuation<Void, Never>?
        private var holdFirst: Bool
        private var entered = false
        /// Carts whose rows fail any statement they are in (a data error, SQLSTATE 22P02).
        private let poisoned: Set<String>
        /// Batches (not single commands) fail with a deadlock.
        private let batchesDeadlock: Bool
        /// Carts whose command is a replay of an earlier payment.
        private let replays: Set<String>

        init(holdFirst: Bool = false, poisoned: Set<String> = [], batchesDeadlock: Bool = false, replays: Set<String> = []) {
            self.holdFirst = holdFirst
            self.poisoned = poisoned
            self.batchesDeadlock = batchesDeadlock
            self.replays = replays
        }

        func recordRequested(batch: [IntakeCommand]) async throws(StoreError) -> [IntakeOutcome?] {
            batches.append(batch)
            if holdFirst {
                holdFirst = false
                entered = true
                await withCheckedContinuation { gate = $0 }
            }
            if batchesDeadlock, batch.count > 1 { throw StoreError(.serializationFailure, "deadlock", sqlState: "40P01") }
            if batch.contains(where: { poisoned.contains($0.command.cartId) }) { throw Self.dataError }
            return batch.map { item in
                guard replays.contains(item.command.cartId) else { return Self.created(item) }
                guard case .created(let payment, _) = Self.created(item) else { return nil }
                return .replayed(payment)
            }
        }

        func recordRequested(_ item: IntakeCommand) async throws(StoreError) -> IntakeOutcome {
            alone.append(item)
            if poisoned.contains(item.command.cartId) { throw Self.dataError }
            return Self.created(item)
        }

        var firstEntered: Bool { entered }
        func release() { gate?.resume(); gate = nil }

        static let dataError = StoreError(.queryFailed, "invalid input", sqlState: "22P02")

        static func created(_ item: IntakeCommand) -> IntakeOutcome {
            let c = item.command
            return .created(
                Payment(
                    paymentId: item.newPaymentId, cartId: c.cartId, orderId: c.orderId, customerId: c.customerId, amount: c.amount,
                    currency: c.currency, status: .requested, capture: c.capture, createdAt: "t", updatedAt: "t"),
                authorization: item.authorization(1, idempotencyKey: item.newPaymentId + ":authorize"))
        }
    }

    static func item(key: String? = nil, cart: String = UUID().uuidString.lowercased()) -> IntakeCommand {
        IntakeCommand(
            AuthorizeCommand(cartId: cart, customerId: nil, amount: 1000, currency: "EUR", paymentMethod: "pm_card_visa"),
            newPaymentId: UUID().uuidString.lowercased(), idempotencyKey: key.map { IdempotencyKey(scope: "s", key: $0) })
    }

    /// The worker's slots as the intake sees them: `free` to lend, and what was lent and given back.
    actor FakeSlots: LocalWorkerSlots {
        private(set) var free: Int
        private(set) var lent = 0
        private(set) var givenBack = 0

        init(free: Int) { self.free = free }

        func reserve(upTo count: Int) -> (lease: WorkerLease, slots: Int)? {
            let slots = min(count, free)
            guard slots > 0 else { return nil }
            free -= slots
            lent += slots
            return (WorkerLease(owner: "worker-here", duration: .seconds(15)), slots)
        }

        func unreserve(_ count: Int) {
            free += count
            givenBack += count
        }
    }

    /// Runs `body` with a started batcher of one flusher over `store`, then stops it.
    static func withBatcher(
        _ store: FakeIntakeStore, slots: FakeSlots? = nil, _ body: (IntakeBatcher) async throws -> Void
    ) async throws {
        let logger = Logger(label: "intake-test")
        let batcher = IntakeBatcher(store: store, localWorker: slots, flushers: 1, logger: logger)
        let group = ServiceGroup(services: [batcher], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        let running = Task { try await group.run() }
        try await body(batcher)
        await group.triggerGracefulShutdown()
        try await running.value
    }

    static func eventually(_ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while await !condition() {
            guard ContinuousClock.now < deadline else { Issue.record("condition not met within 5 s"); return }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    @Test("keyed and unkeyed commands that arrive while a commit is in flight share the next one")
    func keyedAndUnkeyedShareACommit() async throws {
        let store = FakeIntakeStore(holdFirst: true)
        try await Self.withBatcher(store) { batcher in
            let first = Task { try await batcher.submit(Self.item()) }
            try await Self.eventually { await store.firstEntered }
            let items = [Self.item(key: "k1"), Self.item(), Self.item(key: "k2"), Self.item(), Self.item(key: "k3")]
            let rest = items.map { item in Task { try await batcher.submit(item) } }
            try await Self.eventually { await batcher.waiting == items.count }
            await store.release()
            _ = try await first.value
            for task in rest { _ = try await task.value }
            let batches = await store.batches
            #expect(batches.count == 2)
            #expect(Set(batches.last?.map(\.newPaymentId) ?? []) == Set(items.map(\.newPaymentId)))
            #expect(batches.last?.compactMap(\.idempotencyKey?.key).sorted() == ["k1", "k2", "k3"])
            #expect(await store.alone.isEmpty)
        }
    }

    @Test("a lone command is committed at once, keyed or not")
    func loneCommandAtOnce() async throws {
        let store = FakeIntakeStore()
        try await Self.withBatcher(store) { batcher in
            let keyed = Self.item(key: "only")
            guard case .created(let payment, _) = try await batcher.submit(keyed) else { Issue.record("not created"); return }
            #expect(payment.paymentId == keyed.newPaymentId)
            #expect(await store.batches.map { $0.map(\.newPaymentId) } == [[keyed.newPaymentId]])
        }
    }

    @Test("one command's bad row fails only that command: the group is decided one by one")
    func poisonedMemberFailsAlone() async throws {
        let bad = UUID().uuidString.lowercased()
        let store = FakeIntakeStore(holdFirst: true, poisoned: [bad])
        try await Self.withBatcher(store) { batcher in
            let first = Task { try await batcher.submit(Self.item()) }
            try await Self.eventually { await store.firstEntered }
            let good = [Self.item(key: "a"), Self.item()]
            let poisoned = Self.item(key: "b", cart: bad)
            let goodTasks = good.map { item in Task { try await batcher.submit(item) } }
            let badTask = Task { try await batcher.submit(poisoned) }
            try await Self.eventually { await batcher.waiting == 3 }
            await store.release()
            _ = try await first.value
            for task in goodTasks { _ = try await task.value }
            await #expect(throws: StoreError.self) { try await badTask.value }
            #expect(Set(await store.alone.map(\.newPaymentId)) == Set((good + [poisoned]).map(\.newPaymentId)))
        }
    }

    @Test("a group that deadlocked with another transaction is decided one by one, and every member commits, without a lease")
    func deadlockedGroupSplits() async throws {
        let store = FakeIntakeStore(holdFirst: true, batchesDeadlock: true)
        let slots = FakeSlots(free: 8)
        try await Self.withBatcher(store, slots: slots) { batcher in
            let first = Task { try await batcher.submit(Self.item()) }
            try await Self.eventually { await store.firstEntered }
            let items = [Self.item(key: "x"), Self.item(), Self.item(key: "y")]
            let tasks = items.map { item in Task { try await batcher.submit(item) } }
            try await Self.eventually { await batcher.waiting == items.count }
            await store.release()
            _ = try await first.value
            for task in tasks { _ = try await task.value }
            #expect(Set(await store.alone.map(\.newPaymentId)) == Set(items.map(\.newPaymentId)))
            // The group's lent slots went back before its members were decided alone, unleased (claimed like any other).
            #expect(await store.alone.allSatisfy { $0.lease == nil })
            #expect(await slots.free == 7, "only the first, lone command kept its slot")
        }
    }

    @Test("once the intake has stopped, a command is refused at once (503), never left waiting")
    func refusedAfterStop() async throws {
        let store = FakeIntakeStore()
        let logger = Logger(label: "intake-test")
        let batcher = IntakeBatcher(store: store, flushers: 2, logger: logger)
        let group = ServiceGroup(services: [batcher], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        let running = Task { try await group.run() }
        _ = try await batcher.submit(Self.item())
        await group.triggerGracefulShutdown()
        try await running.value
        await #expect(throws: StoreError.self) { try await batcher.submit(Self.item()) }
        #expect(await store.batches.count == 1)
    }

    @Test("a group's new authorizations are born leased to the worker's free slots; slots not taken up are given back")
    func lendsFreeSlots() async throws {
        let replayedCart = UUID().uuidString.lowercased()
        let store = FakeIntakeStore(holdFirst: true, replays: [replayedCart])
        let slots = FakeSlots(free: 2)
        try await Self.withBatcher(store, slots: slots) { batcher in
            let first = Task { try await batcher.submit(Self.item()) }
            try await Self.eventually { await store.firstEntered }
            #expect(await slots.lent == 1)
            let items = [Self.item(cart: replayedCart), Self.item(), Self.item(key: "k")]
            // One at a time, so the group holds them in this order (tasks started together may arrive in any).
            var tasks: [Task<IntakeOutcome, any Error>] = []
            for item in items {
                tasks.append(Task { try await batcher.submit(item) })
                try await Self.eventually { await batcher.waiting == tasks.count }
            }
            await store.release()
            guard case .created(_, let lone) = try await first.value else { Issue.record("not created"); return }
            #expect(lone.claimed?.generation == 1)
            var bornLeased = 0
            for task in tasks {
                if case .created(let payment, let authorization) = try await task.value, let claimed = authorization.claimed {
                    bornLeased += 1
                    #expect(claimed.paymentId == payment.paymentId && claimed.dispatched && claimed.attempts == 1)
                }
            }
            // One slot was left for the group of three: its first member (the replay) took it and created nothing.
            let group = try #require(await store.batches.last)
            #expect(group.map { $0.lease?.owner } == ["worker-here", nil, nil])
            #expect(bornLeased == 0)
            #expect(await slots.givenBack == 1)
            #expect(await slots.free == 1)
        }
    }

    @Test("with no free slot, or no worker here, no authorization is born leased")
    func noSlotsNoLease() async throws {
        for slots in [FakeSlots(free: 0), nil] {
            let store = FakeIntakeStore()
            try await Self.withBatcher(store, slots: slots) { batcher in
                guard case .created(_, let authorization) = try await batcher.submit(Self.item()) else { Issue.record("not created"); return }
                #expect(authorization.claimed == nil)
                #expect(await store.batches.flatMap { $0 }.allSatisfy { $0.lease == nil })
            }
        }
    }
}
