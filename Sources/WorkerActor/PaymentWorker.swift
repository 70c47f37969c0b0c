import Logging
import Payments
import ServiceLifecycle
import Store
import StripeGateway

/// The payment worker: claims due operations from the durable queue and drives them at the processor,
/// at most `concurrency` at once. The intake's stream only makes it look sooner; the queue is the record,
/// swept every `pollInterval` for new, retried and abandoned (lease expired) work.
public actor PaymentWorker: Service {
    private let database: Database
    private let executor: OperationExecutor
    private let configuration: WorkerConfiguration
    private let wakeups: AsyncStream<String>
    private let logger: Logger
    private var inFlight = 0
    private var databaseDown = false
    private var credentialsRefused = false
    private var drainWaiter: CheckedContinuation<Void, Never>?

    public init(
        database: Database, stripe: any StripeAPI, configuration: WorkerConfiguration, wakeups: AsyncStream<String>,
        outcomes: AsyncStream<OutcomeNotice>.Continuation? = nil, backoff: Backoff = Backoff(), logger: Logger
    ) {
        self.database = database
        self.configuration = configuration
        self.wakeups = wakeups
        self.logger = logger
        executor = OperationExecutor(
            store: database, processor: stripe, lease: configuration.lease, backoff: backoff, searchLag: configuration.searchLag,
            outcomes: outcomes, logger: logger)
    }

    public func run() async throws {
        let (kicks, kick) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        logger.info("worker started", metadata: ["owner": "\(configuration.owner)", "concurrency": "\(configuration.concurrency)"])
        // A discarding group: a finished runner's task is freed at once (a group that keeps results held
        // every finished operation's task until shutdown, about 10 KB each).
        await withDiscardingTaskGroup { runners in
            await withTaskGroup(of: Void.self) { pumps in
                pumps.addTask { [wakeups] in
                    for await _ in wakeups { kick.yield() }
                }
                pumps.addTask { [poll = configuration.pollInterval] in
                    while !Task.isCancelled {
                        kick.yield()
                        try? await Task.sleep(for: poll)
                    }
                }
                for await _ in kicks.cancelOnGracefulShutdown() {
                    let claimed = await claim()
                    for op in claimed {
                        runners.addTask { [executor] in
                            await executor.run(op)
                            await self.finished()
                            kick.yield()
                        }
                    }
                }
                // Shutting down: claim nothing more.
                kick.finish()
                pumps.cancelAll()
            }
            // Operations in flight finish their processor calls, for at most `drainTimeout`; past it they are
            // cancelled (a cancelled call is an unknown outcome: rescheduled, read back by whoever claims it next).
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
        // Whatever is still leased to this worker (a cancelled operation) is given back at once.
        try? await database.releaseLeases(owner: configuration.owner)
        logger.info("worker stopped")
    }

    private func claim() async -> [ClaimedOperation] {
        noteCredentials()
        let free = configuration.credentials.claimable(configuration.concurrency - inFlight)
        guard free > 0 else { return [] }
        do {
            let claimed = try await database.claimOperations(owner: configuration.owner, limit: free, lease: configuration.lease)
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
