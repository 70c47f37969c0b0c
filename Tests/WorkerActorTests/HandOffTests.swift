import Logging
import Payments
import Store
import StripeGateway
import Testing
@testable import WorkerActor

/// The worker actor's two ways in: the intake's stream (claim by id) and the sweep, against a model queue.
@Suite("worker hand-off")
struct HandOffTests {
    /// The model store as the worker's queue, with a sweep that can be made to find nothing; counts both claims.
    actor ModelQueue: WorkQueue {
        let model: ModelStore
        let sweepFinds: Bool
        private(set) var sweeps = 0
        private(set) var claimedByID: [[Int]] = []

        init(_ model: ModelStore, sweepFinds: Bool) {
            self.model = model
            self.sweepFinds = sweepFinds
        }

        func claimOperations(owner: String, limit: Int, lease: Duration) async throws(StoreError) -> [ClaimedOperation] {
            sweeps += 1
            guard sweepFinds else { return [] }
            var claimed: [ClaimedOperation] = []
            for id in await model.dueOperations().prefix(limit) {
                if let op = await model.claim(id) { claimed.append(op) }
            }
            return claimed
        }

        func claimOperations(ids: [Int], owner: String, lease: Duration) async throws(StoreError) -> [ClaimedOperation] {
            claimedByID.append(ids)
            var claimed: [ClaimedOperation] = []
            for id in ids {
                if let op = await model.claim(id) { claimed.append(op) }
            }
            return claimed
        }

        func releaseLeases(owner: String) async throws(StoreError) {}

        func recordDispatch(of operation: ClaimedOperation, event: DomainEvent?) async throws(StoreError) -> Bool {
            try await model.recordDispatch(of: operation, event: event)
        }

        func recordProcessorReference(_ lease: OperationLease, paymentId: String, reference: String) async throws(StoreError) -> String {
            try await model.recordProcessorReference(lease, paymentId: paymentId, reference: reference)
        }

        func recordedReference(paymentId: String) async throws(StoreError) -> String? { try await model.recordedReference(paymentId: paymentId) }

        func refund(id: String) async throws(StoreError) -> Refund? { try await model.refund(id: id) }

        func record(_ write: RefundRecord, under lease: OperationLease, drivesRefund: Bool) async throws(StoreError) {
            try await model.record(write, under: lease, drivesRefund: drivesRefund)
        }

        func finishOperation(
            _ lease: OperationLease, paymentId: String, change: PaymentChange, events: [DomainEvent], resolution: OperationStatus,
            recheckAfter: Duration?
        ) async throws(StoreError) -> Payment? {
            try await model.finishOperation(
                lease, paymentId: paymentId, change: change, events: events, resolution: resolution, recheckAfter: recheckAfter)
        }

        func reschedule(
            _ lease: OperationLease, after delay: Duration, error: String?, newCreateAttempt: Int?, newKeyAttempt: Int?, protocolFault: Bool
        ) async throws(StoreError) {
            try await model.reschedule(
                lease, after: delay, error: error, newCreateAttempt: newCreateAttempt, newKeyAttempt: newKeyAttempt, protocolFault: protocolFault)
        }

        func renewLease(_ lease: OperationLease, for duration: Duration) async throws(StoreError) -> Bool {
            try await model.renewLease(lease, for: duration)
        }

        func dispute(reference: String) async throws(StoreError) -> Dispute? { try await model.dispute(reference: reference) }
        func recordDispute(_ lease: OperationLease, _ transition: DisputeTransition) async throws(StoreError) {
            try await model.recordDispute(lease, transition)
        }
        func recordForeignRefund(
            _ lease: OperationLease, of op: ClaimedOperation, _ refund: ForeignRefund, newRefundId: String, at time: String
        ) async throws(StoreError) {
            try await model.recordForeignRefund(lease, of: op, refund, newRefundId: newRefundId, at: time)
        }
    }

    let logger = Logger(label: "hand-off-test")

    /// A payment whose authorization is queued in `model`; its operation's id.
    static func queuedAuthorization(_ model: ModelStore) async -> (paymentId: String, operationId: Int) {
        let paymentId = await model.authorize(amount: 1000, capture: .manual, paymentMethod: "pm_card_visa")
        let operationId = await model.operations.first { $0.paymentId == paymentId }!.id
        return (paymentId, operationId)
    }

    /// A running worker over `queue` that sweeps every 10 minutes, and the intake's end of its stream.
    func started(
        _ queue: ModelQueue, concurrency: Int
    ) -> (PaymentWorker, AsyncStream<QueuedOperation>.Continuation, Task<Void, any Error>) {
        let (committed, toWorker) = AsyncStream<QueuedOperation>.makeStream()
        let worker = PaymentWorker(
            queue: queue, stripe: FakeStripe(),
            configuration: WorkerConfiguration(concurrency: concurrency, pollInterval: .seconds(600), owner: "w"),
            committed: committed, logger: logger)
        return (worker, toWorker, Task { try await worker.run() })
    }

    static func eventually(within limit: Duration = .seconds(5), _ condition: () async -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while await !condition() {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(2))
        }
        return true
    }

    @Test("an operation handed over by the intake's stream is claimed by id and run at once, while the sweep finds nothing")
    func runsWhatTheStreamHandsOver() async throws {
        let model = ModelStore(log: nil)
        let (paymentId, operationId) = await Self.queuedAuthorization(model)
        let queue = ModelQueue(model, sweepFinds: false)
        // A sweep every 10 minutes: only the stream can start this operation within the test.
        let (_, toWorker, running) = started(queue, concurrency: 2)
        defer { running.cancel() }
        #expect(try await Self.eventually { await queue.sweeps >= 1 })
        #expect(await model.payment(paymentId)?.status == .requested)
        toWorker.yield(QueuedOperation(id: operationId))
        #expect(try await Self.eventually { await model.payment(paymentId)?.status == .authorized })
        #expect(await queue.claimedByID == [[operationId]])
    }

    @Test("an operation handed over while every slot is taken is left to the sweep, which runs it once a slot frees")
    func fullWorkerLeavesItToTheSweep() async throws {
        let model = ModelStore(log: nil)
        let first = await Self.queuedAuthorization(model)
        let stripe = FakeStripe()
        await stripe.setConfirmDelay(.milliseconds(300))
        let queue = ModelQueue(model, sweepFinds: true)
        let (committed, toWorker) = AsyncStream<QueuedOperation>.makeStream()
        let worker = PaymentWorker(
            queue: queue, stripe: stripe, configuration: WorkerConfiguration(concurrency: 1, pollInterval: .seconds(600), owner: "w"),
            committed: committed, logger: logger)
        let running = Task { try await worker.run() }
        defer { running.cancel() }
        // The first sweep takes the only slot with the first payment (its confirm takes 300 ms).
        #expect(try await Self.eventually { await stripe.calls.count >= 1 })
        let second = await Self.queuedAuthorization(model)
        toWorker.yield(QueuedOperation(id: second.operationId))
        #expect(try await Self.eventually { await model.payment(second.paymentId)?.status == .authorized })
        #expect(await model.payment(first.paymentId)?.status == .authorized)
        #expect(await queue.claimedByID.isEmpty, "no slot was free: nothing is claimed by id")
        #expect(await queue.sweeps >= 2)
    }

    @Test("a due sweep goes before the hand-offs: older work is not starved by a stream that keeps every slot busy")
    func dueSweepGoesFirst() async throws {
        let model = ModelStore(log: nil)
        let older = await Self.queuedAuthorization(model)
        let handedOver = await Self.queuedAuthorization(model)
        let queue = ModelQueue(model, sweepFinds: true)
        let (committed, toWorker) = AsyncStream<QueuedOperation>.makeStream()
        toWorker.yield(QueuedOperation(id: handedOver.operationId))
        let worker = PaymentWorker(
            queue: queue, stripe: FakeStripe(), configuration: WorkerConfiguration(concurrency: 1, pollInterval: .seconds(600), owner: "w"),
            committed: committed, logger: logger)
        let running = Task { try await worker.run() }
        defer { running.cancel() }
        #expect(try await Self.eventually { await model.payment(handedOver.paymentId)?.status == .authorized })
        #expect(await model.payment(older.paymentId)?.status == .authorized)
        #expect(await queue.claimedByID.isEmpty, "the one slot went to the due sweep (the older operation), then to the next sweep")
    }

    @Test("an authorization born leased runs at once on its reserved slot: no claim, and no sweep after it ends")
    func runsBornLeased() async throws {
        let model = ModelStore(log: nil)
        let (paymentId, operationId) = await Self.queuedAuthorization(model)
        let queue = ModelQueue(model, sweepFinds: false)
        let (worker, toWorker, running) = started(queue, concurrency: 2)
        defer { running.cancel() }
        #expect(try await Self.eventually { await queue.sweeps == 1 })
        let reservation = try #require(await worker.reserve(upTo: 1))
        #expect(reservation.slots == 1 && reservation.lease.owner == "w")
        // The intake's commit wrote the lease: the model's claim stands for it.
        let bornLeased = try #require(await model.claim(operationId))
        toWorker.yield(QueuedOperation(id: operationId, claimed: bornLeased))
        #expect(try await Self.eventually { await model.payment(paymentId)?.status == .authorized })
        #expect(await queue.claimedByID.isEmpty)
        #expect(await queue.sweeps == 1, "nothing was left waiting: the run's end does not sweep")
        #expect(await worker.reserve(upTo: 9)?.slots == 2, "the slot is free again once the run ended")
    }

    @Test("the worker lends only free slots, takes them back, and lends none while the key is refused or once stopped")
    func lendsFreeSlots() async throws {
        let credentials = CredentialStatus()
        let queue = ModelQueue(ModelStore(log: nil), sweepFinds: false)
        let worker = PaymentWorker(
            queue: queue, stripe: FakeStripe(),
            configuration: WorkerConfiguration(concurrency: 3, pollInterval: .seconds(600), owner: "w", credentials: credentials),
            committed: nil, logger: logger)
        #expect(await worker.reserve(upTo: 1) == nil, "the first sweep is due: its slots come first")
        let running = Task { try await worker.run() }
        #expect(try await Self.eventually { await queue.sweeps == 1 })
        #expect(await worker.reserve(upTo: 2)?.slots == 2)
        #expect(await worker.reserve(upTo: 5)?.slots == 1)
        #expect(await worker.reserve(upTo: 1) == nil)
        await worker.unreserve(2)
        credentials.note(status: 401)
        #expect(await worker.reserve(upTo: 1) == nil, "while the key is refused only the worker's probe may go")
        credentials.note(status: 200)
        #expect(await worker.reserve(upTo: 5)?.slots == 2)
        await worker.unreserve(3)
        running.cancel()
        _ = await running.result
        #expect(await worker.reserve(upTo: 1) == nil, "a stopped worker lends nothing")
    }

    @Test("while a sweep filled every slot (work may be waiting), nothing is lent; once it finds the queue drained, slots are")
    func noLendingWhileWorkWaits() async throws {
        let model = ModelStore(log: nil)
        let queued = await Self.queuedAuthorization(model)
        let stripe = FakeStripe()
        await stripe.setConfirmDelay(.milliseconds(300))
        let queue = ModelQueue(model, sweepFinds: true)
        let worker = PaymentWorker(
            queue: queue, stripe: stripe, configuration: WorkerConfiguration(concurrency: 1, pollInterval: .seconds(600), owner: "w"),
            committed: nil, logger: logger)
        let running = Task { try await worker.run() }
        defer { running.cancel() }
        #expect(try await Self.eventually { await stripe.calls.count >= 1 })
        #expect(await worker.reserve(upTo: 1) == nil, "the one slot runs the swept operation")
        #expect(try await Self.eventually { await model.payment(queued.paymentId)?.status == .authorized })
        // The sweep had filled every slot: the run's end sweeps again at once, finds nothing, and lending resumes.
        #expect(try await Self.eventually { await queue.sweeps >= 2 })
        #expect(try await Self.eventually { await worker.reserve(upTo: 1)?.slots == 1 })
    }
}
