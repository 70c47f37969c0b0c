import ArgumentParser
import Logging
import ServiceLifecycle
import StripeSandbox

/// `stripe-sandbox`: the offline Stripe test-mode emulator, standalone.
@main
struct StripeSandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stripe-sandbox",
        abstract: "An offline emulator of Stripe's API in test mode (PaymentIntents, refunds, webhooks), with fault injection.",
        discussion: "Besides /v1, it serves GET /_sandbox/ledger, GET|POST /_sandbox/faults, POST /_sandbox/refunds/{id}/fail and POST /_sandbox/reset (no auth)."
    )

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0: any free port).") var port = 12111
    @Option(help: "Where to POST Stripe Events (none when unset).") var webhookURL: String?
    @Option(help: "whsec_… secret(s) that sign events; comma-separated to sign with several (a rotation).")
    var webhookSecret: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"

    @Option(help: "Probability of a 500 before executing (nothing happens, nothing saved).") var errorBefore = 0.0
    @Option(help: "Probability of a 500 after executing (the idempotency key replays it).") var errorAfter = 0.0
    @Option(help: "Probability of a 500 that the idempotency key saves, with nothing executed.") var errorAfterNoop = 0.0
    @Option(help: "Probability that the connection is closed before executing.") var dropBefore = 0.0
    @Option(help: "Probability that the connection is closed after executing.") var dropAfter = 0.0
    @Option(help: "Added latency in ms, uniform in MIN,MAX (default: 0,0).", transform: Self.range) var latencyMs = [0, 0]
    @Option(help: "Answer 429 above this many requests per second (0: no limit).") var rateLimitRps = 0
    @Option(help: "Intents appear in search only this many ms after they change.") var searchLagMs = 0
    @Option(help: "Probability that an event is delivered twice.") var webhookDuplicate = 0.0
    @Flag(help: "Deliver queued events in shuffled order.") var webhookReorder = false
    @Option(help: "Added webhook delay in ms, uniform in MIN,MAX (default: 0,0).", transform: Self.range) var webhookDelayMs = [0, 0]
    @Option(help: "Probability that an event's first delivery is skipped (a retry brings it).") var webhookDropFirst = 0.0
    @Option(
        help: "Probabilities that a capture, cancel or refund that would succeed is refused (400, saved under the key): capture=P,cancel=P,refund=P (any of them; left out: 0).",
        transform: Self.refusals
    )
    var refuse = FaultPlan.Refusals()
    @Option(help: "Probability of Stripe's 401 for a valid key (nothing executed, nothing saved).") var unauthorized = 0.0
    @Option(
        name: .customLong("unreadable-2xx"),
        help: "Probability that an executed 2xx answer is sent without its status (the key saves the true answer)."
    )
    var unreadable2xx = 0.0
    @Option(help: "Seed that makes the fault draws repeatable.") var seed: UInt64?

    static func range(_ text: String) throws -> [Int] {
        let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let min = parts[0], let max = parts[1] else {
            throw ValidationError("expected MIN,MAX in milliseconds, got '\(text)'")
        }
        return [min, max]
    }

    static func refusals(_ text: String) throws -> FaultPlan.Refusals {
        var refusals = FaultPlan.Refusals()
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, let operation = FaultPlan.Operation(rawValue: pair[0]), let probability = Double(pair[1]) else {
                throw ValidationError("expected capture=P,cancel=P,refund=P, got '\(text)'")
            }
            switch operation {
            case .capture: refusals.capture = probability
            case .cancel: refusals.cancel = probability
            case .refund: refusals.refund = probability
            }
        }
        return refusals
    }

    func validate() throws {
        if let problem = faults.problem { throw ValidationError(problem) }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level '\(logLevel)'") }
    }

    var faults: FaultPlan {
        FaultPlan(
            errorBefore: errorBefore, errorAfter: errorAfter, errorAfterNoop: errorAfterNoop, dropBefore: dropBefore,
            dropAfter: dropAfter, latencyMs: latencyMs, rateLimitRps: rateLimitRps, searchLagMs: searchLagMs,
            webhookDuplicate: webhookDuplicate, webhookReorder: webhookReorder, webhookDelayMs: webhookDelayMs,
            webhookDropFirst: webhookDropFirst, refuse: refuse, unauthorized: unauthorized, unreadable2xx: unreadable2xx,
            seed: seed
        )
    }

    func run() async throws {
        var logger = Logger(label: "stripe-sandbox")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let sandbox = StripeSandboxService(
            configuration: SandboxConfiguration(
                host: host, port: port, webhookURL: webhookURL, webhookSecret: webhookSecret, faults: faults
            ),
            logger: logger
        )
        let group = ServiceGroup(
            configuration: .init(services: [sandbox], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await group.run()
    }
}
