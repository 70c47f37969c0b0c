import APIActor
import ArgumentParser
import Hummingbird
import Logging
import Payments
import ServiceLifecycle
import Store
import StripeGateway
import StripeSandbox
import WorkerActor

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the service (the default).")

    @OptionGroup var options: Options

    func run() async throws {
        let settings = try PaymentService.prepare(options)
        let logger = Logger(label: "payment-service")
        let database = Database(url: settings.databaseURL, poolSize: settings.dbPoolSize, logger: logger)
        try await migrateWhenReachable(database, logger: logger)

        // First in the group, so the last to stop: the API and the worker finish their units of work before the pool closes.
        var services: [any Service] = [database]
        if case .sandbox(let port) = settings.mode {
            logger.warning("sandbox mode: the embedded Stripe emulator is the processor", metadata: ["sandbox_port": "\(port)"])
            let callbackHost = settings.host == "0.0.0.0" ? "127.0.0.1" : settings.host
            services.append(StripeSandboxService(
                configuration: SandboxConfiguration(
                    host: "127.0.0.1", port: port,
                    webhookURL: settings.runsAPI ? "http://\(callbackHost):\(settings.port)/webhooks/stripe" : nil,
                    webhookSecret: settings.webhookSecrets.first),
                logger: Logger(label: "stripe-sandbox")))
            if settings.apiTokens.isEmpty {
                logger.warning("PAYMENT_API_TOKENS is unset: authentication is OFF (sandbox mode only)")
            }
        }
        let http = CurlHTTPClient(maxConcurrent: settings.workerConcurrency, connectTimeout: .seconds(5), totalTimeout: .seconds(10))
        let credentials = CredentialStatus()
        let stripe = StripeClient(
            configuration: StripeConfiguration(secretKey: settings.stripeSecretKey, apiBase: settings.stripeAPIBase),
            http: http, logger: Logger(label: "stripe-gateway"), maxRequestsPerSecond: settings.stripeMaxRPS,
            maxInFlight: settings.workerConcurrency, credentials: credentials)
        let metrics = MetricsExporter(database: database, credentials: credentials)
        // The intake's stream to the worker, and the worker's outcome stream to the API's `Prefer: wait`
        // requests: only when both run in this process.
        let (committed, toWorker) = AsyncStream<QueuedOperation>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        let (outcomes, outcome) = OutcomeNotice.makeStream()
        let both = settings.runsWorker && settings.runsAPI
        if settings.runsWorker {
            services.append(PaymentWorker(
                queue: database, stripe: stripe,
                configuration: WorkerConfiguration(
                    concurrency: settings.workerConcurrency, lease: .seconds(settings.workerLease), owner: WorkerIdentity.make(),
                    credentials: credentials, searchLag: .seconds(settings.stripeSearchLag)),
                committed: both ? committed : nil, outcomes: both ? outcome : nil, logger: Logger(label: "payment-worker")))
            services.append(RetentionSweeper(database: database, logger: Logger(label: "retention")))
        }
        if settings.runsAPI {
            // Before the API, so it stops after it: commands already accepted still get their commit.
            let batcher = IntakeBatcher(store: database, logger: logger)
            services.append(batcher)
            let events = EventSignal()
            let listener = NotificationListener(
                url: settings.databaseURL, channel: EventFeed.channel, logger: Logger(label: "event-listener"), onNotify: events.notify)
            // Before the API, so it stops after it: the waits in flight are still woken.
            let waiters = OutcomeWaiters(notices: settings.runsWorker ? outcomes : nil, signal: events)
            services.append(waiters)
            // Last in the group, so the first to stop: intake ends before the worker drains.
            services.append(PaymentAPI.makeApplication(
                configuration: APIConfiguration(
                    host: settings.host, port: settings.port, tokens: settings.apiTokens,
                    defaultPaymentMethod: settings.defaultPaymentMethod, webhookSecrets: settings.webhookSecrets,
                    metrics: metrics.render, processorStatus: { credentials.processorStatus }),
                database: database, intake: PaymentIntake(database: database, batcher: batcher, toWorker: both ? toWorker : nil),
                logger: logger, events: events, waiters: waiters,
                onServerRunning: { port in logger.info("listening", metadata: ["port": "\(port)"]) }))
            // After the API, so it stops before it: closing the signal ends the open event streams.
            services.append(EventListenerService(listener: listener, signal: events))
        } else {
            services.append(PaymentAPI.makeOperationsApplication(
                host: settings.host, port: settings.port, database: database, metrics: metrics.render,
                processorStatus: { credentials.processorStatus },
                logger: logger, onServerRunning: { port in logger.info("listening (health and metrics only)", metadata: ["port": "\(port)"]) }))
        }
        let group = ServiceGroup(
            configuration: .init(services: services.map(OpaqueService.init), gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        http.shutdown()
    }

    /// Waits up to 30 s for the database (it may be starting alongside), then migrates.
    private func migrateWhenReachable(_ database: Database, logger: Logger) async throws {
        var attempt = 0
        while true {
            do {
                try await database.migrate()
                return
            } catch {
                guard error.code == .unavailable, attempt < 30 else { throw error }
                attempt += 1
                if attempt == 1 { logger.warning("database unreachable; waiting for it", metadata: ["error": "\(error)"]) }
                try await Task.sleep(for: .seconds(1))
            }
        }
    }
}
