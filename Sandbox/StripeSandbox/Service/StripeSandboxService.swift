import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import StripeGateway

/// The Stripe test-mode emulator as a ServiceLifecycle service: `run()` serves until cancelled or
/// gracefully shut down. Each run starts with empty state.
public struct StripeSandboxService: Service {
    public let configuration: SandboxConfiguration
    let logger: Logger
    let onListening: @Sendable (Int) async -> Void

    /// `onListening` gets the bound port (useful with port 0).
    public init(
        configuration: SandboxConfiguration, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        if let problem = configuration.faults.problem { throw SandboxConfigurationError(message: problem) }
        let background = BackgroundWork()
        let faults = FaultInjector(plan: configuration.faults)
        let idempotency = IdempotencyStore()
        let webhookClient = configuration.webhookURL.map { _ in CurlHTTPClient(maxConcurrent: 2, totalTimeout: .seconds(10)) }
        defer { webhookClient?.shutdown() }
        let events: any EventPublishing =
            if let url = configuration.webhookURL, let webhookClient {
                WebhookDispatcher(
                    url: url, secrets: Self.secrets(configuration.webhookSecret), client: webhookClient, faults: faults,
                    background: background, logger: logger
                )
            } else {
                NoEvents()
            }
        let state = SandboxState(events: events, background: background)

        let router = Router(context: SandboxRequestContext.self)
        router.add(middleware: StripeResponseMiddleware())
        SandboxAdminRoutes(state: state, faults: faults, idempotency: idempotency, startPlan: configuration.faults)
            .register(on: router)
        let pipeline = V1Pipeline(routes: APIRoutes(state: state, faults: faults), faults: faults, idempotency: idempotency)
        for method in [HTTPRequest.Method.get, .post, .delete] {
            router.on("/v1/**", method: method) { request, context in try await pipeline.handle(request, context: context) }
        }

        let onListening = self.onListening
        let logger = self.logger
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("stripe sandbox listening", metadata: ["port": "\(port)"])
                await onListening(port)
            },
            logger: logger
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            group.addTask { await background.run() }
            // The server ends on graceful shutdown or cancellation; pending background work ends with it.
            try await group.next()
            group.cancelAll()
        }
    }

    /// Several comma-separated secrets sign with each (a rotation, as Stripe does).
    static func secrets(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

public struct SandboxConfigurationError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
