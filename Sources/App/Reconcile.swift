import ArgumentParser
import Foundation
import Logging
import Payments
import Store
import StripeGateway
import WorkerActor

/// `payment-service reconcile --since <RFC 3339>`: one reconciliation run, its report on stdout (logs on stderr).
struct Reconcile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare the record with the processor once, heal what is safe, print the report.",
        discussion: """
            Lists the processor's intents, refunds and disputes created since --since and compares them with the \
            record. Exit status: 0 nothing unresolved, 1 something unresolved, 2 the run could not complete (the \
            processor or the database unreachable, another run holding the lock). Uses the settings of `serve`; heals \
            queue read-backs that a running worker performs.
            """)

    @Option(help: "RFC 3339 time (e.g. 2026-01-31T00:00:00Z): the processor's objects created since then are compared")
    var since: String

    @OptionGroup var options: Options

    func validate() throws {
        guard RFC3339.seconds(since) != nil else { throw ValidationError("--since must be an RFC 3339 time such as 2026-01-31T00:00:00Z") }
    }

    func run() async throws {
        let settings = try PaymentService.prepare(options, logsToStandardError: true)
        let logger = Logger(label: "payment-service.reconcile")
        let database = Database(url: settings.databaseURL, poolSize: 2, logger: logger)
        let http = CurlHTTPClient(maxConcurrent: 4, connectTimeout: .seconds(5), totalTimeout: .seconds(10))
        let stripe = StripeClient(
            configuration: StripeConfiguration(secretKey: settings.stripeSecretKey, apiBase: settings.stripeAPIBase),
            http: http, logger: Logger(label: "stripe-gateway"), maxRequestsPerSecond: settings.stripeMaxRPS, maxInFlight: 4)
        let status = await Self.report(Reconciler(database: database, processor: stripe, logger: logger), since: RFC3339.seconds(since) ?? 0)
        await database.shutdown()
        http.shutdown()
        throw ExitCode(status)
    }

    static func report(_ reconciler: Reconciler, since: Int) async -> Int32 {
        do throws(ReconciliationError) {
            let report = try await reconciler.run(since: since, trigger: .command)
            print(report.text)
            return report.verdict.rawValue
        } catch {
            print("reconciliation could not complete: \(error)")
            return ReconciliationVerdict.incomplete.rawValue
        }
    }
}

enum RFC3339 {
    /// Unix seconds of an RFC 3339 time (with or without fractions of a second); nil for anything else.
    static func seconds(_ text: String) -> Int? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return Int(date.timeIntervalSince1970) }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text).map { Int($0.timeIntervalSince1970) }
    }
}
