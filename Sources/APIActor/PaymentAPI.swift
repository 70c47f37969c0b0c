import Hummingbird
import Logging
import Store

/// The HTTP intake: builds the Hummingbird application (a ServiceLifecycle service) of the Payment API.
public enum PaymentAPI {
    public static func makeApplication(
        configuration: APIConfiguration, database: Database, intake: PaymentIntake, logger: Logger,
        events: EventSignal = EventSignal(),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = makeRouter(configuration: configuration, database: database, intake: intake, events: events)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    static func makeRouter(
        configuration: APIConfiguration, database: Database, intake: PaymentIntake, events: EventSignal = EventSignal()
    ) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: HTTPMetricsMiddleware())
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: BearerAuthMiddleware(tokens: configuration.tokens))
        let validator = AuthorizeCommandValidator(defaultPaymentMethod: configuration.defaultPaymentMethod)
        PaymentRoutes(intake: intake, database: database, validator: validator).register(on: router)
        LifecycleRoutes(database: database, wakeups: intake.wakeups).register(on: router)
        WebhookRoutes(database: database, secrets: configuration.webhookSecrets, wakeups: intake.wakeups).register(on: router)
        HealthRoutes(database: database).register(on: router)
        EventRoutes(database: database, signal: events).register(on: router)
        MetricsRoutes(render: configuration.metrics).register(on: router)
        OpenAPIRoutes().register(on: router)
        return router
    }
}
