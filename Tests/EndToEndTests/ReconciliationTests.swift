import Foundation
import Logging
import Store
import StripeGateway
import StripeSandbox
import Testing
import TestSupport

/// `payment-service reconcile` run as a process against the real binary's record and the sandbox: drift made behind
/// the service's back (its webhooks dropped, the processor changed through the sandbox's Dashboard calls, or the
/// record edited), then found, healed where safe, and reported.
@Suite("Reconciliation, end to end", .serialized)
struct ReconciliationTests {
    static let wait = [("Prefer", "wait=10")]

    /// Runs the command over everything created since a minute ago (or `since`).
    static func reconcile(_ stack: Stack, since: String? = nil, extra: [String: String] = [:]) async throws -> BinaryRun {
        let start = since ?? ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60))
        return try await BinaryRun.run(["reconcile", "--since", start], environment: stack.environment(extra: extra), timeout: .seconds(180))
    }

    static func payment(_ api: APIClient, method: String? = nil, capture: String? = nil) async throws -> (id: String, intent: String) {
        let answer = try await api.post("/payments/authorize", json: authorizeBody(paymentMethod: method, capture: capture), headers: wait)
        let id = try #require(answer.string("paymentId"), "\(answer.text)")
        return (id, answer.string("processorReference") ?? "")
    }

    /// An intent confirmed at the processor directly (a hold, manual capture), carrying `paymentId` in its metadata.
    static func directHold(_ stack: Stack, paymentId: String) async throws -> String {
        let http = CurlHTTPClient(maxConcurrent: 1, totalTimeout: .seconds(10))
        defer { http.shutdown() }
        let client = StripeClient(
            configuration: StripeConfiguration(secretKey: SandboxHarness.apiKey, apiBase: stack.sandbox.baseURL), http: http,
            logger: Logger(label: "test-direct"))
        let params = CreatePaymentIntentParams(amount: 4999, currency: "USD", captureMethod: "manual", metadata: ["payment_id": paymentId])
        guard case .success(let created) = await client.createPaymentIntent(params, idempotencyKey: UUID().uuidString) else {
            throw HarnessError(message: "direct create failed")
        }
        guard case .success(let held) = await client.confirmPaymentIntent(id: created.id, paymentMethod: "pm_card_visa", idempotencyKey: UUID().uuidString),
            held.status == .requiresCapture
        else { throw HarnessError(message: "direct confirm failed") }
        return held.id
    }

    static func run(_ api: APIClient, _ output: String) async throws -> APIClient.Answer {
        let runId = try #require(output.firstMatch(of: /reconciliation run ([0-9a-f-]{36})/).map { String($0.1) }, "\(output)")
        return try await api.get("/reconciliation/runs/\(runId)")
    }

    /// The dispute's `dp_…` once the service has recorded it from its webhooks.
    static func recordedDispute(_ api: APIClient, _ paymentId: String) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let disputes = try await api.get("/payments/\(paymentId)/disputes").json["disputes"] as? [[String: Any]] ?? []
            if let reference = disputes.first?["processorReference"] as? String { return reference }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError(message: "no dispute recorded for \(paymentId)")
    }

    static func intentStatus(_ stack: Stack, _ intentId: String) async throws -> String? {
        try await stack.sandbox.stripeGet("/v1/payment_intents/\(intentId)")["status"] as? String
    }

    @Test("every kind of drift the sandbox can make behind the service's back is found and healed; a second run finds nothing")
    func healsTheSafeOnes() async throws {
        try await Stack.withService(webhooks: true) { stack, service in
            let api = stack.client(service)
            // A Dashboard cancel of a hold, its webhook lost: AUTHORIZED here, canceled there.
            let cancelled = try await Self.payment(api)
            try await Task.sleep(for: .milliseconds(500))  // the authorization's own webhooks delivered first
            try await stack.sandbox.dropNextEvents(1)
            #expect(try await stack.sandbox.dashboardCancel(cancelled.intent).status == 200)
            // A Dashboard refund of a capture, its two webhooks lost.
            let refunded = try await Self.payment(api, capture: "automatic")
            try await Task.sleep(for: .milliseconds(500))
            try await stack.sandbox.dropNextEvents(2)
            #expect(try await stack.sandbox.dashboardRefund(refunded.intent, amount: 1000).status == 200)
            // A hold the record no longer knows of: the payment's own intent, recorded VOIDED.
            let stray = try await Self.payment(api)
            try await Task.sleep(for: .milliseconds(500))  // its webhook would otherwise queue the sync that releases it
            _ = try await stack.database.column("UPDATE payments SET status = 'VOIDED' WHERE id = \(stray.id)::uuid")
            // A second intent holding money for a payment.
            let doubled = try await Self.payment(api)
            let second = try await Self.directHold(stack, paymentId: doubled.id)
            // A dispute whose two events (created, funds withdrawn) were lost, and one moved with its update lost.
            let reviewed = try await Self.payment(api, method: "pm_card_createDispute", capture: "automatic")
            let recorded = try await Self.recordedDispute(api, reviewed.id)
            try await Task.sleep(for: .milliseconds(500))  // its funds_withdrawn delivered too
            try await stack.sandbox.dropNextEvents(1)
            #expect(try await stack.sandbox.setDisputeStatus(recorded, "under_review").status == 200)
            let disputed = try await Self.payment(api, method: "pm_card_createDispute", capture: "automatic")
            try await Task.sleep(for: .milliseconds(500))
            try await stack.sandbox.dropNextEvents(2)
            try await Task.sleep(for: .seconds(2))

            let first = try await Self.reconcile(stack)
            #expect(first.status == 0, "\(first.output)")
            let run = try await Self.run(api, first.output)
            let items = run.json["items"] as? [[String: Any]] ?? []
            let found = Set(items.map { "\($0["kind"] as? String ?? "") \($0["paymentId"] as? String ?? "")" })
            #expect(found == [
                "status_mismatch \(cancelled.id)", "missing_here \(refunded.id)", "orphan_hold \(stray.id)", "orphan_hold \(doubled.id)",
                "missing_here \(disputed.id)", "status_mismatch \(reviewed.id)",
            ], "\(first.output)")
            #expect(items.allSatisfy { $0["healed"] as? Bool == true }, "\(first.output)")
            #expect(try await api.get("/payments/\(cancelled.id)").string("status") == "VOIDED")
            #expect(try await api.get("/payments/\(refunded.id)").int("amountRefunded") == 1000)
            #expect(try await Self.intentStatus(stack, stray.intent) == "canceled")
            #expect(try await Self.intentStatus(stack, second) == "canceled")
            #expect(try await stack.database.scalar("SELECT count(*) FROM disputes WHERE payment_id = \(disputed.id)::uuid") == "1")
            #expect(try await stack.database.scalar("SELECT status FROM disputes WHERE processor_reference = \(recorded)") == "under_review")
            #expect(first.output.contains("summary: 6 items, 6 healed, 0 unresolved; exit 0"), "\(first.output)")
            for healed in [cancelled.id, refunded.id, disputed.id, reviewed.id] {
                let rows = try await stack.database.column(
                    "SELECT actor || ' ' || action FROM audit_log WHERE payment_id = \(healed) AND actor = 'reconciliation'")
                #expect(rows == ["reconciliation reconcile"], "\(healed): \(rows)")
            }

            let again = try await Self.reconcile(stack)
            #expect(again.status == 0, "\(again.output)")
            #expect(again.output.contains("summary: 0 items, 0 healed, 0 unresolved; exit 0"), "\(again.output)")
            let runs = try await api.get("/reconciliation/runs").json["runs"] as? [[String: Any]] ?? []
            #expect(runs.count == 2)
            #expect(runs.first?["itemCount"] as? Int == 0)
            #expect(runs.last?["itemCount"] as? Int == 6)
            #expect(runs.allSatisfy { $0["status"] as? String == "complete" && $0["trigger"] as? String == "command" })
        }
    }

    @Test("what is not safe to heal is reported unresolved (exit 1), served by the API and counted by the gauge")
    func reportsTheRest() async throws {
        try await Stack.withService(webhooks: true) { stack, service in
            let api = stack.client(service)
            let stranger = UUID().uuidString.lowercased()
            let orphan = try await Self.directHold(stack, paymentId: stranger)
            let declined = try await Self.payment(api, method: "pm_card_chargeDeclined")
            _ = try await stack.database.column("UPDATE payments SET processor_reference = 'pi_unknown_here' WHERE id = \(declined.id)::uuid")
            let resized = try await Self.payment(api)
            _ = try await stack.database.column("UPDATE payments SET amount = 5000 WHERE id = \(resized.id)::uuid")
            let ahead = try await Self.payment(api)
            _ = try await stack.database.column(
                "UPDATE payments SET status = 'CAPTURED', amount_captured = 4999 WHERE id = \(ahead.id)::uuid")

            let result = try await Self.reconcile(stack)
            #expect(result.status == 1, "\(result.output)")
            let items = try await Self.run(api, result.output).json["items"] as? [[String: Any]] ?? []
            let found = Set(items.map { "\($0["kind"] as? String ?? "") \($0["processorReference"] as? String ?? "") \($0["healed"] as? Bool ?? true)" })
            #expect(found == [
                "missing_here \(orphan) false", "missing_at_processor pi_unknown_here false", "amount_mismatch \(resized.intent) false",
                "status_mismatch \(ahead.intent) false",
            ], "\(result.output)")
            #expect(items.first { $0["kind"] as? String == "missing_here" }?["paymentId"] as? String == stranger)
            #expect(try await Self.intentStatus(stack, orphan) == "requires_capture")
            #expect(try await api.get("/payments/\(ahead.id)").string("status") == "CAPTURED")
            #expect(result.output.contains("UNRESOLVED missing_at_processor"), "\(result.output)")
            let metrics = try await stack.client(service, token: nil).get("/metrics").text
            for kind in ["missing_here", "missing_at_processor", "amount_mismatch", "status_mismatch"] {
                #expect(metrics.contains("reconciliation_discrepancies{kind=\"\(kind)\"} 1"), "\(kind): \(metrics)")
            }
            #expect(metrics.contains("reconciliation_discrepancies{kind=\"orphan_hold\"} 0"))
            #expect(try await stack.client(service, token: nil).get("/reconciliation/runs").status == 401)
        }
    }

    @Test("a run while the worker is busy reports none of its work in flight and disturbs none of it")
    func beside() async throws {
        var sandbox = SandboxConfiguration(port: 0)
        sandbox.faults.latencyMs = [20, 120]
        try await Stack.withService(sandbox: sandbox, webhooks: true) { stack, service in
            let api = stack.client(service)
            let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                for index in 0..<30 {
                    group.addTask {
                        if index == 10 { try await Task.sleep(for: .milliseconds(200)) }
                        let answer = try await api.post("/payments/authorize", json: authorizeBody(capture: index % 3 == 0 ? "automatic" : nil))
                        return answer.string("paymentId")
                    }
                }
                return try await group.reduce(into: [String]()) { if let id = $1 { $0.append(id) } }
            }
            let result = try await Self.reconcile(stack)
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("summary: 0 items"), "\(result.output)")
            #expect(ids.count == 30)
            for id in ids {
                let settled = try await stack.awaitSettled(api, paymentId: id)
                #expect(["AUTHORIZED", "CAPTURED"].contains(settled.string("status") ?? ""), "\(settled.text)")
            }
            let intents = try await stack.ledgerIntents()
            #expect(ids.allSatisfy { intents[$0]?.count == 1 })
        }
    }

    @Test("the run could not complete: another run holds the lock, or the processor is unreachable (exit 2)")
    func incomplete() async throws {
        try await Stack.withStack { stack in
            let lock = try #require(try await stack.database.database.tryAdvisoryLock(Database.reconciliationLockKey))
            let held = try await Self.reconcile(stack)
            await lock.release()
            #expect(held.status == 2, "\(held.output)")
            #expect(held.output.contains("another reconciliation run holds the lock"), "\(held.output)")
            #expect(try await stack.database.scalar("SELECT count(*) FROM reconciliation_runs") == "0")
            let unreachable = try await Self.reconcile(stack, extra: ["STRIPE_API_BASE": "http://127.0.0.1:1"])
            #expect(unreachable.status == 2, "\(unreachable.output)")
            #expect(try await stack.database.scalar("SELECT status FROM reconciliation_runs") == "incomplete")
            let bad = try await BinaryRun.run(["reconcile", "--since", "yesterday"], environment: stack.environment())
            #expect(bad.status != 0 && bad.output.contains("RFC 3339"), "\(bad.output)")
        }
    }

    @Test("with RECONCILIATION_INTERVAL the worker runs one on its own, one per interval across two instances")
    func scheduled() async throws {
        try await Stack.withService(extra: ["RECONCILIATION_INTERVAL": "3"]) { stack, service in
            let second = try await ServiceProcess.start(environment: stack.environment(extra: ["RECONCILIATION_INTERVAL": "3"]))
            defer { second.terminate() }
            let api = stack.client(service)
            let deadline = ContinuousClock.now + .seconds(20)
            var runs: [[String: Any]] = []
            while runs.count < 2, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(500))
                runs = try await api.get("/reconciliation/runs").json["runs"] as? [[String: Any]] ?? []
            }
            #expect(runs.count >= 2, "\(runs)")
            #expect(runs.allSatisfy { $0["trigger"] as? String == "scheduled" && $0["status"] as? String == "complete" })
            let starts = try await stack.database.column("SELECT extract(epoch FROM started_at)::float8 FROM reconciliation_runs ORDER BY started_at")
                .compactMap { $0.flatMap(Double.init) }
            #expect(zip(starts, starts.dropFirst()).allSatisfy { $1 - $0 >= 2.5 }, "\(starts)")
        }
    }
}
