import Logging
import Payments
import ServiceLifecycle
import Store
import StripeGateway

/// The payment worker actor: claims operations from the durable queue and drives each with the executor, at
/// most `concurrency` at once. Three ways in:
/// - a new authorization born leased to this worker (`LocalWorkerSlots`: the intake reserved a slot and wrote
///   the lease and the dispatch in the commit that recorded the payment) arrives on the intake's stream and runs
///   at once, with no claim;
/// - any other operation the API in this process just committed arrives there by id; with a free slot the worker
///   claims it by id at once;
/// - the sweep, every `pollInterval` (and after a run ends while work may be waiting), claims whatever is due:
///   work other processes committed, retries, expired leases, and anything the stream handed over while every
///   slot was taken. A due sweep goes first, so a stream that keeps every slot busy cannot starve it.
public actor PaymentWorker: Service {
    private let queue: any WorkQueue
    private let executor: OperationExecutor
    private let configuration: WorkerConfiguration
    private let committed: AsyncStream<QueuedOperation>?
    private let logger: Logger
    private var inFlight = 0
    /// Slots lent to the intake for authorizations not yet arrived (born leased, or the reservation given back).
    private var reserved = 0
    /// Authorizations born leased to this worker, arrived and not yet started, with when they arrived (their
    /// lease has been running since the intake's commit, a moment before).
    private var bornLeased: [(op: ClaimedOperation, arrived: ContinuousClock.Instant)] = []
    /// Slots a claim in progress may fill (counted as taken until it returns).
    private var claiming = 0
    /// Slots are lent only while the worker takes work (not once it stops).
    private var lending = true
    /// Operations the stream handed over, not yet claimed.
    private var handedOver: [Int] = []
    private var sweepDue = true
    /// The last claim may have left due work behind (the sweep filled every slot, or hand-overs found none
    /// free): a run's end sweeps again at once rather than at the next poll.
    private var workMayWait = false
    private var kick: AsyncStream<Void>.Continuation?
    private var databaseDown = false
    private var credentialsRefused = false
    private var drainWaiter: CheckedContinuation<Void, Never>?

    public init(
        queue: any WorkQueue, stripe: any StripeAPI, configuration: WorkerConfiguration, committed: AsyncStream<QueuedOperation>?,
        outcomes: AsyncStream<OutcomeNotice>.Continuation? = nil, backoff: Backoff = Backoff(), logger: Logger
    ) {
        self.queue = queue
        self.configuration = configuration
        self.committed = committed
        self.logger = logger
        executor = OperationExecutor(
            store: queue, processor: stripe, lease: configuration.lease, backoff: backoff, searchLag: configuration.searchLag,
            authentication: configuration.authentication, outcomes: outcomes, logger: logger)
    }

    public func run() async throws {
        let (kicks, kick) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.kick = kick
        logger.info("worker started", metadata: ["owner": "\(configuration.owner)", "concurrency": "\(configuration.concurrency)"])
        // A discarding group: a finished runner's task is freed at once (a group that keeps results held
        // every finished operation's task until shutdown, about 10 KB each).
        await withDiscardingTaskGroup { runners in
            await withTaskGroup(of: Void.self) { pumps in
                pumps.addTask { [committed] in
                    guard let committed else { return }
                    for await operation in committed {
                        await self.handOver(operation)
                        kick.yield()
                    }
                }
                pumps.addTask { [poll = configuration.pollInterval] in
                    while !Task.isCancelled {
                        await self.requestSweep()
                        kick.yield()
                        try? await Task.sleep(for: poll)
                    }
                }
                for await _ in kicks.cancelOnGracefulShutdown() {
                    for (op, leaseAge) in await claim() {
                        runners.addTask { [executor] in
                            await executor.run(op, leaseAge: leaseAge)
                            await self.finished()
                            kick.yield()
                        }
                    }
                }
                // Shutting down: claim nothing more.
                lending = false
                kick.finish()
                pumps.cancelAll()
            }
            await drain(runners: &runners)
        }
        // Whatever is still leased to this worker (a cancelled operation) is given back at once.
        try? await queue.releaseLeases(owner: configuration.owner)
        logger.info("worker stopped")
    }

    /// Operations in flight finish their processor calls, for at most `drainTimeout`; past it they are
    /// cancelled (a cancelled call is an unknown outcome: rescheduled, read back by whoever claims it next).
    private func drain(runners: inout DiscardingTaskGroup) async {
        guard inFlight > 0 else { return }
        logger.info("worker draining", metadata: ["in_flight": "\(inFlight)"])
        runners.addTask { [bound = configuration.drainTimeout] in
            try? await Task.sleep(for: bound)
            // Cancelled means the drain ended (or the whole worker was cancelled): no time-out to report.
            if !Task.isCancelled { await self.endDrain() }
        }
        await waitUntilDrained()
        if inFlight > 0 {
            logger.warning("drain time-out: cancelling operations still in flight", metadata: ["in_flight": "\(inFlight)"])
        }
        runners.cancelAll()
    }

    private func handOver(_ operation: QueuedOperation) {
        if let claimed = operation.claimed {
            reserved = max(0, reserved - 1)
            bornLeased.append((claimed, .now))
        } else if handedOver.count < configuration.concurrency {
            handedOver.append(operation.id)
        } else {
            // More than the slots can take waits for the sweep instead.
            workMayWait = true
        }
    }

    private var freeSlots: Int { max(0, configuration.concurrency - inFlight - reserved - bornLeased.count - claiming) }

    private func requestSweep() {
        sweepDue = true
    }

    /// The authorizations born leased first (their slots were set aside for them), each with its lease's age; then
    /// a due sweep, so that under load retries, expired leases and other processes' work keep their turn (it
    /// claims the oldest due, handed-over operations among them); then the operations handed over, as many as
    /// slots are left (the rest wait for the next sweep).
    private func claim() async -> [(ClaimedOperation, leaseAge: Duration)] {
        noteCredentials()
        let born = bornLeased.map { ($0.op, leaseAge: ContinuousClock.now - $0.arrived) }
        bornLeased.removeAll()
        inFlight += born.count
        guard sweepDue || !handedOver.isEmpty else { return born }
        // Asked once, and only with work to claim: while the key is refused, each answer above zero reserves the probe.
        let slots = configuration.credentials.claimable(freeSlots)
        claiming = slots
        defer { claiming = 0 }
        var claimed: [ClaimedOperation] = []
        var swept: [ClaimedOperation] = []
        if sweepDue, slots > 0 {
            sweepDue = false
            swept = await claiming { [queue, configuration] () async throws(StoreError) in
                try await queue.claimOperations(owner: configuration.owner, limit: slots, lease: configuration.lease)
            }
            workMayWait = swept.count == slots
            claimed += swept
        }
        let ids = Array(handedOver.prefix(slots - swept.count))
        if handedOver.count > ids.count { workMayWait = true }
        handedOver.removeAll()
        if !ids.isEmpty {
            claimed += await claiming { [queue, configuration] () async throws(StoreError) in
                try await queue.claimOperations(ids: ids, owner: configuration.owner, lease: configuration.lease)
            }
        }
        return born + claimed.map { ($0, leaseAge: .zero) }
    }

    private func claiming(_ claim: () async throws(StoreError) -> [ClaimedOperation]) async -> [ClaimedOperation] {
        do {
            let claimed = try await claim()
            if databaseDown {
                databaseDown = false
                logger.notice("database reachable again; worker resumes")
            }
            inFlight += claimed.count
            return claimed
        } catch {
            if !databaseDown {
                databaseDown = true
                logger.warning("worker paused: cannot claim work", metadata: ["error": "\(error)"])
            }
            return []
        }
    }

    private func noteCredentials() {
        let refused = configuration.credentials.isRefused
        guard refused != credentialsRefused else { return }
        credentialsRefused = refused
        if refused {
            logger.error("the processor refuses the secret key (401/403): sending only probes; operations stay queued")
        } else {
            logger.notice("the processor accepts the secret key again; worker resumes")
        }
    }

    private func finished() {
        inFlight -= 1
        if workMayWait { sweepDue = true }
        if inFlight == 0 { endDrain() }
    }

    /// Returns once nothing is in flight, or the drain timer fired.
    private func waitUntilDrained() async {
        guard inFlight > 0 else { return }
        await withCheckedContinuation { drainWaiter = $0 }
    }

    /// Wakes the drain: nothing is left in flight, or its time is up.
    private func endDrain() {
        drainWaiter?.resume()
        drainWaiter = nil
    }
}

extension PaymentWorker: LocalWorkerSlots {
    /// Nothing is lent while a sweep is due or work may be waiting (those slots are theirs first), nor while the
    /// worker is paused: its first claim after an outage is what resumes it.
    public func reserve(upTo count: Int) -> (lease: WorkerLease, slots: Int)? {
        let slots = min(count, freeSlots)
        guard lending, !databaseDown, slots > 0, !sweepDue, !workMayWait, handedOver.isEmpty, !configuration.credentials.isRefused
        else { return nil }
        reserved += slots
        return (WorkerLease(owner: configuration.owner, duration: configuration.lease), slots)
    }

    public func unreserve(_ count: Int) {
        reserved = max(0, reserved - count)
        if workMayWait { sweepDue = true }
        kick?.yield()
    }
}
