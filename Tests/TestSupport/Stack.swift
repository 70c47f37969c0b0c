import Foundation
import StripeGateway
import StripeSandbox

/// A whole deployment for end-to-end tests: a fresh database, a Stripe sandbox in this test process (so it
/// outlives the service when the service is killed), and the real `payment-service` binary pointed at both.
public struct Stack: Sendable {
    public static let token = "e2e-token"
    public static let webhookSecret = "whsec_e2e_secret"

    public let database: TestDatabase
    public let sandbox: SandboxHarness
    public let api: APIClient

    public func environment(role: String = "all", extra: [String: String] = [:]) -> [String: String] {
        [
            "DATABASE_URL": database.url, "STRIPE_API_BASE": sandbox.baseURL, "STRIPE_SECRET_KEY": SandboxHarness.apiKey,
            "PAYMENT_API_TOKENS": Self.token, "STRIPE_WEBHOOK_SECRET": Self.webhookSecret, "ROLE": role,
            "LOG_LEVEL": "info", "DB_POOL_SIZE": "8",
        ].merging(extra) { _, new in new }
    }

    /// Runs `body` with one service instance; everything is stopped afterwards, whatever happens.
    /// With `webhooks`, the sandbox delivers its signed events to the service (as Stripe would).
    public static func withService<T: Sendable>(
        sandbox configuration: SandboxConfiguration = SandboxConfiguration(port: 0), webhooks: Bool = false,
        extra: [String: String] = [:], _ body: (Stack, ServiceProcess) async throws -> T
    ) async throws -> T {
        let port = freePort()
        var configuration = configuration
        if webhooks {
            configuration.webhookURL = "http://127.0.0.1:\(port)/webhooks/stripe"
            configuration.webhookSecret = webhookSecret
        }
        return try await withStack(sandbox: configuration) { stack in
            // Without webhooks no port is promised to anyone, so a taken one can be swapped for another.
            let service = try await ServiceProcess.start(environment: stack.environment(extra: extra), port: webhooks ? port : nil)
            do {
                let result = try await body(stack, service)
                service.terminate()
                return result
            } catch {
                print("payment-service log:\n\(service.log())")
                service.kill()
                throw error
            }
        }
    }

    public static func withStack<T: Sendable>(
        sandbox configuration: SandboxConfiguration = SandboxConfiguration(port: 0), _ body: (Stack) async throws -> T
    ) async throws -> T {
        let database = try await TestDatabase.create()
        let sandbox = try await SandboxHarness.start(configuration)
        let stack = Stack(database: database, sandbox: sandbox, api: APIClient(baseURL: "", token: token))
        do {
            let result = try await body(stack)
            await sandbox.stop()
            await database.database.shutdown()
            return result
        } catch {
            await sandbox.stop()
            await database.database.shutdown()
            throw error
        }
    }

    /// An API client for `service`.
    public func client(_ service: ServiceProcess, token: String? = Stack.token) -> APIClient {
        APIClient(baseURL: service.baseURL, token: token)
    }

    /// The sandbox's intents, keyed by the payment they carry in `metadata.payment_id`.
    public func ledgerIntents() async throws -> [String: [[String: Any]]] {
        let ledger = try await sandbox.ledger()
        let intents = ledger["payment_intents"] as? [[String: Any]] ?? []
        return Dictionary(grouping: intents) { ($0["metadata"] as? [String: String])?["payment_id"] ?? "" }
    }

    /// Polls the payment until it leaves REQUESTED (or `timeout`); returns its last body.
    public func awaitSettled(_ api: APIClient, paymentId: String, timeout: Duration = .seconds(30)) async throws -> APIClient.Answer {
        let deadline = ContinuousClock.now + timeout
        var last = try await api.get("/payments/\(paymentId)")
        while last.string("status") == "REQUESTED", ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            last = try await api.get("/payments/\(paymentId)")
        }
        return last
    }
}
