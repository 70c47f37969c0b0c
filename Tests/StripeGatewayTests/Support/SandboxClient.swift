import Foundation
import Logging
import StripeGateway
import TestSupport

/// A real `StripeClient` over HTTP against a fresh in-process sandbox.
struct SandboxClient {
    let client: StripeClient
    let sandbox: SandboxHarness
    let http: CurlHTTPClient

    static func run(_ body: (SandboxClient) async throws -> Void) async throws {
        try await withStripeSandbox { sandbox in
            let http = CurlHTTPClient(maxConcurrent: 2, connectTimeout: .seconds(2), totalTimeout: .seconds(10))
            defer { http.shutdown() }
            var logger = Logger(label: "stripe-gateway-test")
            logger.logLevel = .error
            let client = StripeClient(
                configuration: StripeConfiguration(secretKey: SandboxHarness.apiKey, apiBase: sandbox.baseURL),
                http: http, logger: logger
            )
            try await body(SandboxClient(client: client, sandbox: sandbox, http: http))
        }
    }

    static func key(_ label: String) -> String { "\(label)-\(UUID().uuidString)" }

    /// Creates an unconfirmed intent and returns it (fails the test otherwise).
    func createIntent(amount: Int = 2000, capture: String = "manual", paymentId: String = UUID().uuidString) async throws -> StripePaymentIntent {
        let result = await client.createPaymentIntent(
            CreatePaymentIntentParams(amount: amount, currency: "USD", captureMethod: capture, metadata: ["payment_id": paymentId, "order_id": "o-1"]),
            idempotencyKey: Self.key("create")
        )
        return try result.value()
    }

    /// A POST sent as-is, for what `StripeResult` does not show (the replay header).
    func rawPost(_ path: String, form: String, key: String) async throws -> CurlResponse {
        try await http.send(CurlRequest(
            method: "POST", url: sandbox.baseURL + path,
            headers: [
                ("Authorization", "Bearer \(SandboxHarness.apiKey)"), ("Stripe-Version", StripeConfiguration.apiVersion),
                ("Content-Type", "application/x-www-form-urlencoded"), ("Idempotency-Key", key),
            ],
            body: Array(form.utf8)
        ))
    }
}

struct UnexpectedOutcome: Error, CustomStringConvertible {
    var description: String
}

extension StripeResult {
    func value() throws -> Value {
        guard case .success(let value) = self else { throw UnexpectedOutcome(description: "expected success, got \(self)") }
        return value
    }
}
