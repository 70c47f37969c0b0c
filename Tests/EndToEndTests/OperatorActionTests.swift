import Foundation
import StripeSandbox
import Testing
import TestSupport

/// The operator's actions through the real binary against the sandbox: a refused capture found, retried through
/// the endpoint and through the CLI, and each checked against the processor's ledger.
@Suite("Operator actions and the ops CLI, end to end")
struct OperatorActionTests {
    static let credentials = "\(Stack.token),ops:admin:ops-secret,reader:read:reader-secret"
    static let wait = [("Prefer", "wait=5")]

    /// An AUTHORIZED payment whose capture the processor refused: the payment and the refused operation's id.
    func refusedCapture(_ stack: Stack, _ api: APIClient) async throws -> (payment: String, operation: Int) {
        let id = try await authorize(api, body: authorizeBody(amount: 3000))
        _ = try await awaitStatus(api, id, "AUTHORIZED", timeout: .seconds(20))
        try await stack.sandbox.setFaults(FaultPlan(refuse: .init(capture: 1)))
        let refused = try await api.post("/payments/\(id)/capture", json: #"{"amount":2500}"#, headers: Self.wait)
        #expect(refused.status == 202, "\(refused.text)")
        try await stack.sandbox.setFaults(FaultPlan())
        let failed = try await api.get("/operations?state=failed").json["operations"] as? [[String: Any]] ?? []
        let operation = try #require(failed.first { $0["paymentId"] as? String == id && $0["kind"] as? String == "capture" })
        #expect(operation["actor"] as? String == "ops")
        #expect((operation["lastError"] as? String)?.isEmpty == false)
        return (id, try #require(operation["operationId"] as? Int))
    }

    func capturedOnce(_ stack: Stack, _ api: APIClient, _ id: String) async throws {
        let captured = try await awaitStatus(api, id, "CAPTURED", timeout: .seconds(20))
        #expect(captured.int("amountCaptured") == 2500)
        let problems = ledgerDisagreements(payment: captured, intents: try await stack.ledgerIntents()[id] ?? [])
        #expect(problems.isEmpty, "\(problems)")
        let audit = try await api.get("/audit?subject=\(id)").json["entries"] as? [[String: Any]] ?? []
        #expect(audit.map { "\($0["actor"] ?? "") \($0["action"] ?? "")" } == ["ops authorize", "ops capture", "ops retry"])
    }

    @Test("a refused capture retried through POST /operations/{id}/retry: a new attempt under the next key, captured once")
    func retryThroughTheEndpoint() async throws {
        try await Stack.withService(extra: ["PAYMENT_API_TOKENS": Self.credentials]) { stack, service in
            let api = stack.client(service, token: "ops-secret")
            let (id, operation) = try await refusedCapture(stack, api)
            let reader = try await stack.client(service, token: "reader-secret").post("/operations/\(operation)/retry", json: nil)
            #expect(reader.status == 403, "\(reader.text)")
            let retried = try await api.post("/operations/\(operation)/retry", json: nil, headers: [("X-Reason", "processor said try later")])
            #expect(retried.status == 202, "\(retried.text)")
            #expect(retried.json["operationId"] as? Int != operation)
            try await capturedOnce(stack, api, id)
            #expect(service.log().contains("\(id):capture:capture:1"))
            // The refused attempt retried again once captured: already so (200, nothing queued); the new one is done: 409.
            let again = try await api.post("/operations/\(operation)/retry", json: nil)
            #expect(again.status == 200 && again.json["operationId"] is NSNull, "\(again.text)")
            let newAttempt = try #require(retried.json["operationId"] as? Int)
            #expect(try await api.post("/operations/\(newAttempt)/retry", json: nil).status == 409)
        }
    }

    @Test("the same through the CLI: ops operations, ops retry, ops payments, ops audit; exit 1 refused, 2 unreachable")
    func retryThroughTheCLI() async throws {
        try await Stack.withService(extra: ["PAYMENT_API_TOKENS": Self.credentials]) { stack, service in
            let api = stack.client(service, token: "ops-secret")
            let (id, operation) = try await refusedCapture(stack, api)
            let env = ["PAYMENT_API_URL": service.baseURL, "PAYMENT_API_TOKEN": "ops-secret"]
            let listed = try await BinaryRun.run(["ops", "operations", "--state", "failed"], environment: env)
            #expect(listed.status == 0 && listed.output.contains(id) && listed.output.contains("capture"), "\(listed.output)")
            let retried = try await BinaryRun.run(["ops", "retry", String(operation), "--reason", "cli retry"], environment: env)
            #expect(retried.status == 0, "\(retried.output)")
            #expect(retried.output.contains("retry of operation \(operation): operation"), "\(retried.output)")
            try await capturedOnce(stack, api, id)
            let payments = try await BinaryRun.run(["ops", "payments", "--status", "CAPTURED", "--json", "--all"], environment: env)
            let listedIds = ((try? JSONSerialization.jsonObject(with: Data(payments.output.utf8))) as? [String: Any])?["payments"] as? [[String: Any]]
            #expect(listedIds?.map { $0["paymentId"] as? String } == [id], "\(payments.output)")
            let audit = try await BinaryRun.run(["ops", "audit", id], environment: env)
            #expect(audit.status == 0 && audit.output.contains("cli retry"), "\(audit.output)")

            let unknown = try await BinaryRun.run(["ops", "retry", "99999999"], environment: env)
            #expect(unknown.status == 1 && unknown.output.contains("404"), "\(unknown.output)")
            let reader = try await BinaryRun.run(["ops", "sync", id], environment: ["PAYMENT_API_URL": service.baseURL, "PAYMENT_API_TOKEN": "reader-secret"])
            #expect(reader.status == 1 && reader.output.contains("lacks the scope admin"), "\(reader.output)")
            let nowhere = try await BinaryRun.run(["ops", "operations"], environment: ["PAYMENT_API_URL": "http://127.0.0.1:1", "PAYMENT_API_TOKEN": "x"])
            #expect(nowhere.status == 2, "\(nowhere.output)")
        }
    }
}
