import ArgumentParser
import StripeGateway

@main
struct PaymentService: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payment-service",
        abstract: "The Payment API: intake, payment worker and Stripe gateway in one process.",
        discussion: SettingsDocumentation.helpDiscussion(),
        subcommands: [Serve.self, Migrate.self, Reconcile.self, Ops.self, SettingsTableCommand.self],
        defaultSubcommand: Serve.self)

    /// Before any thread exists: libcurl's global state is set up once, here.
    static func prepare(_ options: Options, logsToStandardError: Bool = false) throws -> Settings {
        CurlHTTPClient.globalInit()
        do {
            let settings = try Settings(options)
            LoggingSetup.bootstrap(level: settings.logLevel, json: settings.logJSON, standardError: logsToStandardError)
            MetricsSetup.bootstrap()
            return settings
        } catch {
            throw ValidationError("invalid configuration: \(error.message)")
        }
    }
}
