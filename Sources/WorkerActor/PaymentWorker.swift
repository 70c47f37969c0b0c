import Logging
import ServiceLifecycle
import Store
import StripeGateway

/// The payment worker: claims due operations from the durable queue and drives them at the processor,
/// at most `concurrency` at once. The intake's stream only makes it look sooner; the queue is the record,
/// swept every `pollInterval` for new, retried and abandoned (lease expired) work.
public actor PaymentWorker: Service {
    private let database: Database
    private let runner: OperationRunner
    private let configuration: WorkerConfiguration
    private let wakeups: AsyncStream<String>
    private let logger: Logger
    private var inFlight = 0
    private var databaseDown = false

    public init(
        database: Database, stripe: any StripeAPI, configuration: WorkerConfiguration, wakeups: AsyncStream<String>,
        backoff: Backoff = Backoff(), logger: Logger
    ) {
        self.database = database
        self.configuration = configuration
        self.wakeups = wakeups
        self.logger = logger
        runner = OperationRunner(
            database: database, stripe: stripe, owner: configuration.owner, lease: configuration.lease, backoff: backoff, logger: logger)
    }

    public func run() async throws {
        let (kicks, kick) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        logger.info("worker started", metadata: ["owner": "\(configuration.owner)", "concurrency": "\(configuration.concurrency)"])
        // Runners return false; the drain timer returns true.
        await withTaskGroup(of: Bool.self) { runners in
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
                        runners.addTask { [runner] in
                            await runner.run(op)
                            await self.finished()
                            kick.yield()
                            return false
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
                return !Task.isCancelled
            }
            for await timedOut in runners {
                if timedOut {
                    logger.warning("drain time-out: cancelling operations still in flight", metadata: ["in_flight": "\(inFlight)"])
                    runners.cancelAll()
                } else if inFlight == 0 {
                    runners.cancelAll()  // only the timer is left
                }
            }
        }
        // Whatever is still leased to this worker (a cancelled operation) is given back at once.
        try? await database.releaseLeases(owner: configuration.owner)
        logger.info("worker stopped")
    }

    private func claim() async -> [ClaimedOperation] {
        let free = configuration.concurrency - inFlight
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

    private func finished() {
        inFlight -= 1
    }
}
