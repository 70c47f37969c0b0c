import Foundation
import StripeGateway
import StripeSandbox
import Testing
import TestSupport

/// Secrets never leave the process: the binary runs at `trace` with known secret values, every endpoint
/// is exercised (failures included), and its whole output, every answer and `/metrics` are searched.
@Suite("Secrets stay secret, end to end")
struct SecretsTests {
    static let stripeKey = "sk_test_LEAKCHECKstripe0key7f3a"
    static let webhookSecrets = ["whsec_LEAKCHECKwebhook1", "whsec_LEAKCHECKwebhook2"]
    /// The secrets of a plain token, of `ops` (admin) and of `reader` (read only).
    static let tokens = ["tok-LEAKCHECK-token-one", "tok-LEAKCHECK-token-two", "tok-LEAKCHECK-token-three"]
    static var credentials: String { "\(tokens[0]), ops:admin:\(tokens[1]), reader:read:\(tokens[2])" }
    static let databasePassword = "pw-LEAKCHECK-database"
    static var secrets: [String] { [stripeKey, databasePassword] + webhookSecrets + tokens }

    /// The test server trusts local connections, so the password is sent nowhere but is in the URL the service holds.
    static func withPassword(_ url: String) -> String {
        url.replacingOccurrences(of: "postgresql://postgres@", with: "postgresql://postgres:\(databasePassword)@")
    }

    @Test("no secret in trace logs, error bodies or metrics, whatever is called")
    func nowhere() async throws {
        let port = freePort()
        let sandbox = SandboxConfiguration(port: 0, webhookURL: "http://127.0.0.1:\(port)/webhooks/stripe", webhookSecret: Self.webhookSecrets[1])
        try await Stack.withStack(sandbox: sandbox) { stack in
            let databaseURL = Self.withPassword(stack.database.url)
            #expect(databaseURL.contains(Self.databasePassword))
            let service = try await ServiceProcess.start(environment: stack.environment(extra: [
                "DATABASE_URL": databaseURL, "STRIPE_SECRET_KEY": Self.stripeKey,
                "STRIPE_WEBHOOK_SECRET": Self.webhookSecrets.joined(separator: ","),
                "PAYMENT_API_TOKENS": Self.credentials, "LOG_LEVEL": "trace", "LOG_FORMAT": "json",
            ]), port: port)
            var answers: [APIClient.Answer] = []
            do {
                answers = try await exercise(stack, service)
            } catch {
                service.kill()
                throw error
            }
            #expect(service.terminate() == 0)
            let log = try String(contentsOf: service.logFile, encoding: .utf8)
            #expect(log.contains("\"level\":\"trace\""), "the run was not at trace level")
            #expect(log.contains("stripe call"))
            for secret in Self.secrets {
                #expect(!log.contains(secret), "the log holds \(secret.prefix(12))…")
                for answer in answers { #expect(!answer.text.contains(secret), "an answer holds \(secret.prefix(12))…: \(answer.text.prefix(300))") }
            }
            // Bad configurations print errors, never the secrets they were given.
            let run = try await BinaryRun.run(["migrate"], environment: [
                "DATABASE_URL": Self.withPassword("postgresql://postgres@127.0.0.1:1/none"), "LOG_LEVEL": "trace",
            ])
            #expect(run.status != 0)
            #expect(!run.output.contains(Self.databasePassword), "\(run.output)")
        }
    }

    @Test("sandbox mode at trace: the embedded emulator's configuration (the webhook secret) stays out of the log")
    func sandboxMode() async throws {
        let database = try await TestDatabase.create()
        let service = try await ServiceProcess.start(environment: [
            "DATABASE_URL": Self.withPassword(database.url), "SANDBOX_PORT": String(freePort()),
            "STRIPE_WEBHOOK_SECRET": Self.webhookSecrets[0], "PAYMENT_API_TOKENS": Self.tokens[0], "LOG_LEVEL": "trace",
        ])
        let created = try await APIClient(baseURL: service.baseURL, token: Self.tokens[0])
            .post("/payments/authorize", json: authorizeBody(), headers: [("Prefer", "wait=5")])
        #expect(created.string("status") == "AUTHORIZED", "\(created.text)")
        #expect(service.terminate() == 0)
        await database.database.shutdown()
        let log = try String(contentsOf: service.logFile, encoding: .utf8)
        #expect(log.contains("Starting service"), "the run was not at trace level")
        for secret in Self.secrets { #expect(!log.contains(secret), "the log holds \(secret.prefix(12))…") }
    }

    /// Every endpoint, with both tokens, a wrong token, a bad and a good webhook signature, a decline and a
    /// processor 500. Returns every answer, `/metrics` last.
    func exercise(_ stack: Stack, _ service: ServiceProcess) async throws -> [APIClient.Answer] {
        let first = APIClient(baseURL: service.baseURL, token: Self.tokens[0])
        let second = APIClient(baseURL: service.baseURL, token: Self.tokens[1])
        let wrong = APIClient(baseURL: service.baseURL, token: "tok-wrong")
        let open = APIClient(baseURL: service.baseURL)
        var answers: [APIClient.Answer] = []

        let created = try await first.post("/payments/authorize", json: authorizeBody(), headers: [("Prefer", "wait=5"), ("Idempotency-Key", "k1")])
        answers.append(created)
        #expect(created.status == 201, "\(created.text)")
        let paymentId = created.string("paymentId") ?? ""
        answers.append(try await second.get("/payments/\(paymentId)"))
        answers.append(try await wrong.get("/payments/\(paymentId)"))
        answers.append(try await open.get("/payments/\(paymentId)"))
        answers.append(try await APIClient(baseURL: service.baseURL, token: Self.tokens[0] + "x").get("/events"))
        let reader = APIClient(baseURL: service.baseURL, token: Self.tokens[2])
        let forbidden = try await reader.post("/payments/\(paymentId)/capture", json: nil)
        #expect(forbidden.status == 403, "\(forbidden.text)")
        answers.append(forbidden)
        answers.append(try await second.get("/audit?subject=\(paymentId)", headers: [("X-Reason", "leak check")]))
        answers.append(try await first.post("/payments/authorize", json: authorizeBody(paymentMethod: "pm_card_chargeDeclined"), headers: [("Prefer", "wait=5")]))
        try await stack.sandbox.setFaults(FaultPlan(errorBefore: 1))
        let failing = try await first.post("/payments/authorize", json: authorizeBody())
        answers.append(failing)
        try await Task.sleep(for: .milliseconds(800))
        try await stack.sandbox.setFaults(FaultPlan())
        answers.append(try await stack.awaitSettled(first, paymentId: failing.string("paymentId") ?? ""))
        answers.append(try await first.post("/payments/\(paymentId)/capture", json: #"{"amount":1000}"#, headers: [("Prefer", "wait=5")]))
        let refund = try await second.post("/payments/\(paymentId)/refunds", json: #"{"amount":100}"#, headers: [("Prefer", "wait=5")])
        answers.append(refund)
        answers.append(try await first.get("/refunds/\(refund.string("refundId") ?? "")"))
        answers.append(try await first.post("/payments/\(paymentId)/void", json: nil))
        answers.append(try await first.get("/payments?cartId=\(UUID().uuidString)"))
        answers.append(try await first.get("/events?limit=1000"))
        answers.append(try await first.get("/events/stream?after=x"))
        let event = Array(#"{"id":"evt_leak","object":"event","type":"payment_intent.succeeded","created":1,"data":{"object":{"id":"pi_x","object":"payment_intent","status":"succeeded","metadata":{}}}}"#.utf8)
        let now = Int(Date().timeIntervalSince1970)
        for signature in [
            WebhookSignature.header(payload: event, secrets: ["whsec_wrong"], timestamp: now),
            WebhookSignature.header(payload: event, secrets: [Self.webhookSecrets[0]], timestamp: now - 3600),
            WebhookSignature.header(payload: event, secrets: [Self.webhookSecrets[0]], timestamp: now),
            "t=1,v1=00",
        ] {
            answers.append(try await open.send("POST", "/webhooks/stripe", body: event, headers: [("Content-Type", "application/json"), ("Stripe-Signature", signature)]))
        }
        answers.append(try await first.post("/payments/authorize", json: "{\"cartId\":"))
        answers.append(try await open.get("/health/live"))
        answers.append(try await open.get("/health/ready"))
        answers.append(try await open.get("/openapi.json"))
        let metrics = try await open.get("/metrics")
        #expect(metrics.text.contains("stripe_calls_total"))
        #expect(metrics.text.contains("outcome=\"unknown\"") || metrics.text.contains("outcome=\"retryable\""), "no processor error was seen")
        answers.append(metrics)
        return answers
    }
}
