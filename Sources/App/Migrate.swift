import ArgumentParser
import Logging
import Store

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply the database schema migrations, then exit.")

    @OptionGroup var options: Options

    func run() async throws {
        let settings = try PaymentService.prepare(options)
        let logger = Logger(label: "payment-service.migrate")
        let database = Database(url: settings.databaseURL, poolSize: 1, logger: logger)
        let applied = try await database.migrate()
        logger.info("schema up to date", metadata: ["applied": "\(applied)"])
        await database.shutdown()
    }
}
