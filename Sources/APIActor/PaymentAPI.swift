import Hummingbird
import Logging
import Store
import Telemetry

/// The HTTP intake: builds the Hummingbird application (a ServiceLifecycle service) of the Payment API.
public enum PaymentAPI {
    public static func makeApplication(
        configuration: APIConfiguration, database: Database, intake: PaymentIntake, logger: Logger,
        events: EventSignal = EventSignal(), waiters: OutcomeWaiters,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = makeRouter(configuration: configuration, database: database, intake: intake, events: events, waiters: waiters)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    /// Without `waiters`, a `Prefer: wait` request is woken only by its limit and the backstop (tests that move payments with SQL).
    static func makeRouter(
        configuration: APIConfiguration, database: Database, intake: PaymentIntake, events: EventSignal = EventSignal(),
        waiters: OutcomeWaiters? = nil
    ) -> Router<APIRequestContext> {
        makeRoutes(configuration: configuration, database: database, intake: intake, events: events, waiters: waiters).router
    }

    /// The router with the access table of its routes (what the auth tests enumerate).
    static func makeRoutes(
        configuration: APIConfiguration, database: Database, intake: PaymentIntake, events: EventSignal = EventSignal(),
        waiters: OutcomeWaiters? = nil
    ) -> RouteTable {
        let routes = RouteTable(router: baseRouter(), credentials: configuration.credentials)
        let validator = AuthorizeCommandValidator(defaultPaymentMethod: configuration.defaultPaymentMethod)
        let waiters = waiters ?? OutcomeWaiters(notices: nil, signal: EventSignal())
        PaymentRoutes(intake: intake, database: database, validator: validator, waiters: waiters).register(on: routes)
        LifecycleRoutes(database: database, intake: intake, waiters: waiters).register(on: routes)
        DisputeRoutes(database: database).register(on: routes)
        WebhookRoutes(database: database, secrets: configuration.webhookSecrets, intake: intake).register(on: routes)
        HealthRoutes(database: database, processorStatus: configuration.processorStatus).register(on: routes)
        EventRoutes(database: database, signal: events).register(on: routes)
        ReconciliationRoutes(database: database).register(on: routes)
        AuditRoutes(database: database).register(on: routes)
        OperatorRoutes(database: database, intake: intake).register(on: routes)
        WebhookEndpointRoutes(database: database, allowPrivate: configuration.webhookAllowPrivate).register(on: routes)
        MetricsRoutes(render: configuration.metrics).register(on: routes)
        OpenAPIRoutes().register(on: routes)
        routes.finish()
        return routes
    }

    /// A router with the middleware every answer passes through: request ids, metrics, problem+json, and with
    /// tracing on a span per request (Hummingbird's `TracingMiddleware`, which honours the caller's `traceparent`).
    static func baseRouter() -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        if Traces.isOn { router.add(middleware: TracingMiddleware()) }
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: HTTPMetricsMiddleware())
        router.add(middleware: ProblemMiddleware())
        return router
    }
}
