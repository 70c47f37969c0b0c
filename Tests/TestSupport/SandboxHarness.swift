import Foundation
import Logging
import ServiceLifecycle
import StripeGateway
import StripeSandbox

/// An in-process Stripe sandbox on an ephemeral loopback port, for any test that needs Stripe.
///
///     let sandbox = try await SandboxHarness.start()
///     defer { Task { await sandbox.stop() } }   // or: try await withStripeSandbox { sandbox in … }
///     let client = StripeClient(base: sandbox.baseURL, …)
public final class SandboxHarness: Sendable {
    public let port: Int
    /// `http://127.0.0.1:<port>`: the Stripe API base (`/v1/…` under it) and `/_sandbox/*`.
    public let baseURL: String
    /// Any `sk_test_` key is accepted; this one is handy.
    public static let apiKey = "sk_test_sandbox_harness"

    /// The sandbox runs in its own ServiceGroup so `stop()` can shut it down gracefully.
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    private let http = CurlHTTPClient(maxConcurrent: 1, totalTimeout: .seconds(10))

    private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.baseURL = "http://127.0.0.1:\(port)"
        self.group = group
        self.task = task
    }

    /// Starts a sandbox (port 0 unless `configuration` says otherwise) and returns once it listens.
    public static func start(
        _ configuration: SandboxConfiguration = SandboxConfiguration(port: 0),
        logger: Logger = Logger(label: "stripe-sandbox-test")
    ) async throws -> SandboxHarness {
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let service = StripeSandboxService(configuration: configuration, logger: logger) { port in
            portSink.yield(port)
        }
        let group = ServiceGroup(
            configuration: .init(services: [service], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        )
        let task = Task {
            defer { portSink.finish() }
            try await group.run()
        }
        for await port in ports {
            return SandboxHarness(port: port, group: group, task: task)
        }
        try await task.value
        throw HarnessError(message: "the sandbox stopped before it listened")
    }

    /// Stops the server and its background work (pending webhooks and timers are dropped).
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        http.shutdown()
    }

    /// `GET /_sandbox/ledger`, decoded with `JSONSerialization`.
    public func ledger() async throws -> [String: Any] {
        let response = try await http.send(CurlRequest(method: "GET", url: baseURL + "/_sandbox/ledger"))
        return try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
    }

    /// Replaces the whole fault plan (`POST /_sandbox/faults`).
    public func setFaults(_ plan: FaultPlan) async throws {
        let body = try JSONEncoder().encode(plan)
        let response = try await http.send(
            CurlRequest(
                method: "POST", url: baseURL + "/_sandbox/faults", headers: [("Content-Type", "application/json")],
                body: Array(body)
            )
        )
        guard response.status == 200 else {
            throw HarnessError(message: "faults refused: \(String(decoding: response.body, as: UTF8.self))")
        }
    }

    /// How many times each fault fired since the plan was last replaced (`GET /_sandbox/faults`, `injected`).
    public func injected() async throws -> [String: Int] {
        let response = try await http.send(CurlRequest(method: "GET", url: baseURL + "/_sandbox/faults"))
        let plan = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return plan?["injected"] as? [String: Int] ?? [:]
    }

    /// Fails a refund now, with its webhooks (`POST /_sandbox/refunds/{id}/fail`).
    public func failRefund(_ id: String) async throws {
        let response = try await http.send(CurlRequest(method: "POST", url: baseURL + "/_sandbox/refunds/\(id)/fail"))
        guard response.status == 200 else { throw HarnessError(message: "refund fail refused: \(String(decoding: response.body, as: UTF8.self))") }
    }

    /// Completes (`succeed`) or fails the customer's pending 3-D Secure action on an intent, with the webhooks
    /// Stripe sends (`POST /_sandbox/payment_intents/{id}/authenticate`). Returns the status and the answer.
    @discardableResult
    public func authenticate(_ intentId: String, _ outcome: String) async throws -> (status: Int, body: String) {
        try await adminPost("/_sandbox/payment_intents/\(intentId)/authenticate", json: #"{"outcome":"\#(outcome)"}"#)
    }

    /// Closes a Radar review with Stripe's closed `reason` (`POST /_sandbox/reviews/{id}/close`).
    @discardableResult
    public func closeReview(_ reviewId: String, _ reason: String) async throws -> (status: Int, body: String) {
        try await adminPost("/_sandbox/reviews/\(reviewId)/close", json: #"{"reason":"\#(reason)"}"#)
    }

    /// Moves sandbox time ahead by an ISO 8601 duration (`P8D`, `PT12H`, `P4DT18H`), expiring the holds whose
    /// `capture_before` it passes (`POST /_sandbox/clock`). Returns the status and `{"now", "offset"}`.
    @discardableResult
    public func advanceClock(_ iso: String) async throws -> (status: Int, json: [String: Any]) {
        try await adminPostJSON("/_sandbox/clock", json: #"{"advance":"\#(iso)"}"#)
    }

    /// Moves a dispute (`under_review`, `warning_under_review`, `won`, `lost`, `warning_closed`, `prevented`), with
    /// its webhooks (`POST /_sandbox/disputes/{id}/status`). Returns the status and the dispute.
    @discardableResult
    public func setDisputeStatus(_ disputeId: String, _ status: String) async throws -> (status: Int, json: [String: Any]) {
        try await adminPostJSON("/_sandbox/disputes/\(disputeId)/status", json: #"{"status":"\#(status)"}"#)
    }

    /// Withdraws or reinstates a dispute's funds (`withdrawn` / `reinstated`), with the event alone
    /// (`POST /_sandbox/disputes/{id}/funds`). Returns the status and the dispute.
    @discardableResult
    public func moveDisputeFunds(_ disputeId: String, _ direction: String) async throws -> (status: Int, json: [String: Any]) {
        try await adminPostJSON("/_sandbox/disputes/\(disputeId)/funds", json: #"{"direction":"\#(direction)"}"#)
    }

    /// A refund made in the Dashboard (no metadata; all that is left when `amount` is nil), with `refund.created` and
    /// `charge.refunded` (`POST /_sandbox/payment_intents/{id}/refund`). Returns the status and the refund.
    @discardableResult
    public func dashboardRefund(_ intentId: String, amount: Int? = nil) async throws -> (status: Int, json: [String: Any]) {
        try await adminPostJSON("/_sandbox/payment_intents/\(intentId)/refund", json: amount.map { #"{"amount":\#($0)}"# } ?? "{}")
    }

    /// A cancel made in the Dashboard (`requested_by_customer`), with `payment_intent.canceled`
    /// (`POST /_sandbox/payment_intents/{id}/cancel`). Returns the status and the intent.
    @discardableResult
    public func dashboardCancel(_ intentId: String) async throws -> (status: Int, json: [String: Any]) {
        try await adminPostJSON("/_sandbox/payment_intents/\(intentId)/cancel", json: "{}")
    }

    /// The next `n` webhook events are never delivered (`POST /_sandbox/events/drop-next`). Returns the status and
    /// `{"remaining"}`.
    @discardableResult
    public func dropNextEvents(_ n: Int = 1) async throws -> (status: Int, json: [String: Any]) {
        try await adminPostJSON("/_sandbox/events/drop-next", json: #"{"count":\#(n)}"#)
    }

    /// A `/v1` GET with the harness's key, decoded with `JSONSerialization`.
    public func stripeGet(_ pathAndQuery: String) async throws -> [String: Any] {
        let response = try await http.send(CurlRequest(
            method: "GET", url: baseURL + pathAndQuery, headers: [("Authorization", "Bearer \(Self.apiKey)")]))
        return try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
    }

    private func adminPost(_ path: String, json: String) async throws -> (status: Int, body: String) {
        let response = try await http.send(CurlRequest(
            method: "POST", url: baseURL + path, headers: [("Content-Type", "application/json")], body: Array(json.utf8)))
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    private func adminPostJSON(_ path: String, json: String) async throws -> (status: Int, json: [String: Any]) {
        let (status, body) = try await adminPost(path, json: json)
        return (status, (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:])
    }

    /// Forgets every object and idempotency key (`POST /_sandbox/reset`).
    public func reset() async throws {
        _ = try await http.send(CurlRequest(method: "POST", url: baseURL + "/_sandbox/reset"))
    }
}

/// Runs `body` against a fresh sandbox and stops it afterwards, whatever happens.
public func withStripeSandbox<T: Sendable>(
    _ configuration: SandboxConfiguration = SandboxConfiguration(port: 0),
    _ body: (SandboxHarness) async throws -> T
) async throws -> T {
    let sandbox = try await SandboxHarness.start(configuration)
    do {
        let result = try await body(sandbox)
        await sandbox.stop()
        return result
    } catch {
        await sandbox.stop()
        throw error
    }
}

public struct HarnessError: Error, CustomStringConvertible {
    public var message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}
