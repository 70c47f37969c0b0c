import Logging
import Payments
import ServiceLifecycle
import Store
import StripeGateway

/// Pushes the outbox to subscribers' endpoints (README, "Webhooks to your services"): each endpoint gets its
/// events in feed order, at least once, from its own cursor. Runs with the worker, on its own HTTP client
/// (its own connections, time-outs and concurrency, apart from the processor's calls and rate limit). Woken when
/// events are committed, and every `pollInterval` for retries and other processes' events. Endpoints are leased,
/// so any number of instances can run one: one at a time pushes to a given endpoint.
public actor WebhookDeliverer: Service {
    private let driver: EndpointDriver
    private let configuration: WebhookDeliveryConfiguration
    private let wakeups: EventSignal?
    private let logger: Logger
    private var inFlight = 0
    private var kick: AsyncStream<Void>.Continuation?

    public init(database: Database, http: CurlHTTPClient, configuration: WebhookDeliveryConfiguration, wakeups: EventSignal?, logger: Logger) {
        driver = EndpointDriver(database: database, post: WebhookPost(http: http), configuration: configuration, logger: logger)
        self.configuration = configuration
        self.wakeups = wakeups
        self.logger = logger
    }

    /// Endpoints are claimed only while the deliverer runs; on graceful shutdown the drives in flight finish
    /// their one request each (at most the client's time-out), then it stops.
    public func run() async throws {
        let (kicks, kick) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.kick = kick
        let pumps = pump(into: kick)
        defer { pumps.forEach { $0.cancel() } }
        await withDiscardingTaskGroup { drives in
            for await _ in kicks.cancelOnGracefulShutdown() {
                for endpoint in await claim() {
                    drives.addTask { [driver] in
                        await driver.drive(endpoint)
                        await self.finished()
                    }
                }
            }
        }
    }

    /// The wake-ups and the poll, both into `kick`.
    private nonisolated func pump(into kick: AsyncStream<Void>.Continuation) -> [Task<Void, Never>] {
        let poll = configuration.pollInterval
        let ticker = Task {
            while !Task.isCancelled {
                kick.yield()
                try? await Task.sleep(for: poll)
            }
        }
        guard let wakeups else { return [ticker] }
        let listener = Task {
            for await _ in wakeups.subscribe() { kick.yield() }
        }
        return [ticker, listener]
    }

    private func claim() async -> [ClaimedEndpoint] {
        let free = configuration.concurrency - inFlight
        guard free > 0 else { return [] }
        do {
            let claimed = try await driver.database.claimWebhookEndpoints(
                owner: configuration.owner, now: configuration.clock(), limit: free, lease: configuration.lease)
            inFlight += claimed.count
            return claimed
        } catch {
            logger.warning("webhook endpoints could not be claimed", metadata: ["error": "\(error)"])
            return []
        }
    }

    /// A drive ended: its slot is free, and more may be waiting.
    private func finished() {
        inFlight -= 1
        kick?.yield()
    }
}
