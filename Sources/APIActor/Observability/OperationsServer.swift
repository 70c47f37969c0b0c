import Hummingbird
import Logging
import Store

extension PaymentAPI {
    /// What a `ROLE=worker` process serves on `PORT`: health, metrics and the OpenAPI document only, so it
    /// can be health-checked and scraped like an API process.
    public static func makeOperationsApplication(
        host: String, port: Int, database: Database, metrics: @escaping @Sendable () async -> [UInt8],
        processorStatus: @escaping @Sendable () -> String = { "ok" }, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let routes = RouteTable(router: baseRouter(), credentials: .none)
        HealthRoutes(database: database, processorStatus: processorStatus).register(on: routes)
        MetricsRoutes(render: metrics).register(on: routes)
        OpenAPIRoutes().register(on: routes)
        routes.finish()
        return Application(
            router: routes.router,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
