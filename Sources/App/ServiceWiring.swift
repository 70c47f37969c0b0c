import APIActor
import Logging
import Payments
import ServiceLifecycle
import Store
import StripeGateway
import StripeSandbox
import WorkerActor

/// The services of one process, in the order the group starts them (and the reverse of the order it stops
/// them), with the streams that link them (README, "How it works"). `ROLE` decides which run.
struct ServiceWiring {
    let settings: Settings
    let database: Database
    let logger: Logger
    /// The gateway's transport: shut down after the group has stopped.
    let http: CurlHTTPClient
    /// Pushed webhooks' own client (shut down after the group too), with the worker only: its own connections,
    /// concurrency and time-outs, the SSRF rules at every connect, no proxy, at most 64 KiB of an answer read.
    let webhookHTTP: CurlHTTPClient?
    /// "Events were committed", from this process's one LISTEN connection: wakes the event streams, the waiters
    /// and the webhook deliverer.
    let events = EventSignal()
    let credentials = CredentialStatus()
    let stripe: StripeClient
    let metrics: MetricsExporter
    /// The intake's stream to the worker, and the worker's outcome stream to the waiters: only when both run here.
    /// Unbounded: an authorization born leased holds a slot set aside for it until it arrives, so none may be dropped
    /// (at most the worker's concurrency of them travel at once; ids travel as fast as the worker files them).
    let committed = AsyncStream<QueuedOperation>.makeStream(bufferingPolicy: .unbounded)
    let outcomes = OutcomeNotice.makeStream()
    /// The payment worker, when one runs here (`ROLE` all or worker); with the API beside it, it lends the intake
    /// its free slots.
    let worker: PaymentWorker?

    init(settings: Settings, database: Database, logger: Logger) {
        self.settings = settings
        self.database = database
        self.logger = logger
        http = CurlHTTPClient(maxConcurrent: settings.workerConcurrency, connectTimeout: .seconds(5), totalTimeout: .seconds(10))
        stripe = StripeClient(
            configuration: StripeConfiguration(secretKey: settings.stripeSecretKey, apiBase: settings.stripeAPIBase),
            http: http, logger: Logger(label: "stripe-gateway"), maxRequestsPerSecond: settings.stripeMaxRPS,
            maxInFlight: settings.workerConcurrency, credentials: credentials)
        webhookHTTP = settings.runsWorker
            ? CurlHTTPClient(
                maxConcurrent: settings.webhookConcurrency, connectTimeout: .seconds(5), totalTimeout: .seconds(10), maxResponseBytes: 64 << 10,
                destinations: Self.webhookDestinations(allowPrivate: settings.webhookAllowPrivate))
            : nil
        metrics = MetricsExporter(database: database, credentials: credentials)
        worker = settings.runsWorker ? Self.worker(settings, database, stripe, credentials, committed, outcomes) : nil
    }

    private static func webhookDestinations(allowPrivate: Bool) -> CurlDestinationRules {
        let refused: @Sendable ([UInt8]) -> String? = { address in AddressRange.refused(address) }
        return CurlDestinationRules(refusedAddress: allowPrivate ? nil : refused, ignoresProxies: true, cutsLongAnswers: true)
    }

    private static func worker(
        _ settings: Settings, _ database: Database, _ stripe: StripeClient, _ credentials: CredentialStatus,
        _ committed: (stream: AsyncStream<QueuedOperation>, continuation: AsyncStream<QueuedOperation>.Continuation),
        _ outcomes: (stream: AsyncStream<OutcomeNotice>, continuation: AsyncStream<OutcomeNotice>.Continuation)
    ) -> PaymentWorker {
        let configuration = WorkerConfiguration(
            concurrency: settings.workerConcurrency, lease: .seconds(settings.workerLease), owner: WorkerIdentity.make(),
            credentials: credentials, searchLag: .seconds(settings.stripeSearchLag),
            authentication: AuthenticationPolicy(timeout: .seconds(settings.authenticationTimeout)))
        let both = settings.runsAPI
        return PaymentWorker(
            queue: database, stripe: stripe, configuration: configuration, committed: both ? committed.stream : nil,
            outcomes: both ? outcomes.continuation : nil, logger: Logger(label: "payment-worker"))
    }

    private var both: Bool { settings.runsWorker && settings.runsAPI }

    /// The database first, so it stops last: the API and the worker finish their units of work before the pool closes.
    func services() -> [any Service] {
        var services: [any Service] = [database]
        services += sandbox()
        if let worker {
            services += [
                worker, RetentionSweeper(database: database, logger: Logger(label: "retention")),
                HoldExpiryWatch(database: database, expiry: settings.holdExpiry, logger: Logger(label: "hold-expiry")),
            ] + webhookDeliverer() + reconciliation()
        }
        services += settings.runsAPI ? api() : operationsOnly() + [EventListenerService(listener: listener(), signal: events)]
        return services
    }

    /// Pushed webhooks, with the worker: woken by committed events (`events`), on their own client.
    private func webhookDeliverer() -> [any Service] {
        guard let webhookHTTP else { return [] }
        if settings.webhookAllowPrivate {
            logger.warning("WEBHOOK_ALLOW_PRIVATE=1: webhook endpoints may reach loopback and private addresses")
        }
        return [WebhookDeliverer(
            database: database, http: webhookHTTP,
            configuration: WebhookDeliveryConfiguration(concurrency: settings.webhookConcurrency, owner: WorkerIdentity.make()),
            wakeups: events, logger: Logger(label: "webhook-delivery"))]
    }

    private func listener() -> NotificationListener {
        NotificationListener(url: settings.databaseURL, channel: EventFeed.channel, logger: Logger(label: "event-listener"), onNotify: events.notify)
    }

    /// The scheduled reconciliation run, with the worker (which performs the read-backs its heals queue), through
    /// the worker's own gateway: one rate limit for both.
    private func reconciliation() -> [any Service] {
        guard settings.reconciliationInterval > 0 else { return [] }
        let logger = Logger(label: "reconciliation")
        return [ReconciliationScheduler(
            reconciler: Reconciler(database: database, processor: stripe, logger: logger), database: database,
            interval: settings.reconciliationInterval, logger: logger)]
    }

    private func sandbox() -> [any Service] {
        guard case .sandbox(let port) = settings.mode else { return [] }
        logger.warning("sandbox mode: the embedded Stripe emulator is the processor", metadata: ["sandbox_port": "\(port)"])
        if settings.apiCredentials.isEmpty {
            logger.warning("PAYMENT_API_TOKENS is unset: authentication is OFF (sandbox mode only)")
        }
        let callbackHost = settings.host == "0.0.0.0" ? "127.0.0.1" : settings.host
        return [StripeSandboxService(
            configuration: SandboxConfiguration(
                host: "127.0.0.1", port: port,
                webhookURL: settings.runsAPI ? "http://\(callbackHost):\(settings.port)/webhooks/stripe" : nil,
                webhookSecret: settings.webhookSecrets.first),
            logger: Logger(label: "stripe-sandbox"))]
    }

    /// The intake and the waiters before the API, so they stop after it (commands accepted still get their commit,
    /// waits in flight still end: woken by this process's worker, or at least by their one-second read once the
    /// listener has stopped); the event listener after it, so it stops before (closing the signal ends the open
    /// event streams).
    private func api() -> [any Service] {
        if !settings.apiCredentials.isEmpty {
            logger.info("credentials", metadata: [
                "named": "\(settings.apiCredentials.names.joined(separator: ","))",
                "plain": "\(settings.apiCredentials.count - settings.apiCredentials.names.count)",
            ])
        }
        let batcher = IntakeBatcher(store: database, localWorker: both ? worker : nil, logger: logger)
        let waiters = OutcomeWaiters(notices: both ? outcomes.stream : nil, signal: events)
        let application = PaymentAPI.makeApplication(
            configuration: APIConfiguration(
                host: settings.host, port: settings.port, credentials: settings.apiCredentials,
                defaultPaymentMethod: settings.defaultPaymentMethod, webhookSecrets: settings.webhookSecrets,
                metrics: metrics.render, processorStatus: { [credentials] in credentials.processorStatus },
                webhookAllowPrivate: settings.webhookAllowPrivate),
            database: database, intake: PaymentIntake(database: database, batcher: batcher, toWorker: both ? committed.continuation : nil),
            logger: logger, events: events, waiters: waiters,
            onServerRunning: { [logger] port in logger.info("listening", metadata: ["port": "\(port)"]) })
        return [batcher, waiters, application, EventListenerService(listener: listener(), signal: events)]
    }

    /// `ROLE=worker`: health and metrics only.
    private func operationsOnly() -> [any Service] {
        [PaymentAPI.makeOperationsApplication(
            host: settings.host, port: settings.port, database: database, metrics: metrics.render,
            processorStatus: { [credentials] in credentials.processorStatus },
            logger: logger, onServerRunning: { [logger] port in logger.info("listening (health and metrics only)", metadata: ["port": "\(port)"]) })]
    }
}
