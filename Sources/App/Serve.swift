import ArgumentParser
import Logging
import ServiceLifecycle
import Store

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the service (the default).")

    @OptionGroup var options: Options

    func run() async throws {
        let settings = try PaymentService.prepare(options)
        let logger = Logger(label: "payment-service")
        let database = Database(url: settings.databaseURL, poolSize: settings.dbPoolSize, logger: logger)
        try await migrateWhenReachable(database, logger: logger)
        let tracing = TraceExport.start(
            endpoint: settings.otlpEndpoint, headers: settings.otlpHeaders, instance: WorkerIdentity.make(), logger: logger)
        let wiring = ServiceWiring(settings: settings, database: database, logger: logger)
        var services = wiring.services()
        // Right after the database: the exporter stops after the API and the worker, and sends their last spans.
        if let tracing { services.insert(tracing.exporter, at: 1) }
        let group = ServiceGroup(
            configuration: .init(services: services.map(OpaqueService.init), gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        wiring.http.shutdown()
        wiring.webhookHTTP?.shutdown()
        tracing?.http.shutdown()
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
