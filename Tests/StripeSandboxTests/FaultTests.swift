import Foundation
import StripeGateway
import StripeSandbox
import Testing
import TestSupport

@Suite("Fault injection")
struct FaultTests {
    private let createParams = [("amount", "1000"), ("currency", "usd"), ("payment_method_types[]", "card")]

    @Test func faultPlanIsReplacedWholeAndReadBack() async throws {
        try await withStripeSandbox { sandbox in
            let http = CurlHTTPClient(maxConcurrent: 1)
            let url = sandbox.baseURL + "/_sandbox/faults"
            _ = try await http.send(CurlRequest(method: "POST", url: url, body: Array(#"{"error_before":0.5,"latency_ms":[1,2]}"#.utf8)))
            _ = try await http.send(CurlRequest(method: "POST", url: url, body: Array(#"{"drop_after":0.25,"seed":7}"#.utf8)))
            let read = try await http.send(CurlRequest(method: "GET", url: url))
            let plan = try JSONDecoder().decode(FaultPlan.self, from: Data(read.body))
            #expect(plan == FaultPlan(dropAfter: 0.25, seed: 7))
            let json = try #require(try JSONSerialization.jsonObject(with: Data(read.body)) as? [String: Any])
            #expect(Set(json.keys) == [
                "error_before", "error_after", "error_after_noop", "drop_before", "drop_after", "latency_ms", "rate_limit_rps",
                "search_lag_ms", "webhook_duplicate", "webhook_reorder", "webhook_delay_ms", "webhook_drop_first", "refuse",
                "unauthorized", "unreadable_2xx", "seed", "injected",
            ])
            #expect(json["refuse"] as? [String: Double] == ["capture": 0, "cancel": 0, "refund": 0])
            let bad = try await http.send(CurlRequest(method: "POST", url: url, body: Array(#"{"error_before":2}"#.utf8)))
            #expect(bad.status == 400)
        }
    }

    @Test func newFaultFieldsAreReadBackAndValidated() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox, apiKey: nil)
            let plan = #"{"error_after_noop":0.1,"refuse":{"capture":0.2,"refund":0.3},"unauthorized":0.4,"unreadable_2xx":0.5,"injected":{"error_before":9}}"#
            #expect(try await client.postJSON("/_sandbox/faults", plan).status == 200)
            let read = try await client.get("/_sandbox/faults")
            #expect(try JSONDecoder().decode(FaultPlan.self, from: Data(read.text.utf8)) == FaultPlan(
                errorAfterNoop: 0.1, refuse: .init(capture: 0.2, refund: 0.3), unauthorized: 0.4, unreadable2xx: 0.5
            ))
            // `injected` is the sandbox's to count: a posted one is ignored.
            #expect(try await client.injected()["error_before"] == 0)
            for bad in [
                #"{"refuse":0.5}"#, #"{"refuse":{"void":0.5}}"#, #"{"refuse":{"capture":2}}"#, #"{"refuse":{"cancel":"x"}}"#,
                #"{"error_after_noop":1.5}"#, #"{"unauthorized":-0.1}"#, #"{"unreadable_2xx":2}"#,
            ] {
                let refused = try await client.postJSON("/_sandbox/faults", bad)
                #expect(refused.status == 400, "\(bad)")
                #expect(refused.errorField("type") == "invalid_request_error", "\(bad)")
            }
        }
    }

    @Test func errorBeforeExecutesNothingAndSavesNothing() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            try await sandbox.setFaults(FaultPlan(errorBefore: 1))
            let failed = try await client.post("/v1/payment_intents", createParams, idempotencyKey: "eb")
            #expect(failed.status == 500)
            #expect(failed.errorField("type") == "api_error")
            #expect(try await sandbox.ledgerIntentCount() == 0)
            // Faults never touch /_sandbox.
            try await sandbox.setFaults(FaultPlan())
            let retried = try await client.post("/v1/payment_intents", createParams, idempotencyKey: "eb")
            #expect(retried.status == 200)
            #expect(retried.headers["idempotent-replayed"] == nil)
        }
    }

    @Test func errorAfterExecutesAndTheKeyReplaysThe500() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            try await sandbox.setFaults(FaultPlan(errorAfter: 1))
            let failed = try await client.post("/v1/payment_intents", createParams, idempotencyKey: "ea")
            #expect(failed.status == 500)
            #expect(try await sandbox.ledgerIntentCount() == 1)
            try await sandbox.setFaults(FaultPlan())
            let replayed = try await client.post("/v1/payment_intents", createParams, idempotencyKey: "ea")
            #expect(replayed.status == 500)
            #expect(replayed.headers["idempotent-replayed"] == "true")
            #expect(try await sandbox.ledgerIntentCount() == 1)
        }
    }

    @Test func errorAfterNoopSavesA500AndExecutesNothing() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            try await sandbox.setFaults(FaultPlan(errorAfterNoop: 1))
            let failed = try await client.post("/v1/payment_intents", createParams, idempotencyKey: "ean")
            #expect(failed.status == 500)
            #expect(failed.errorField("type") == "api_error")
            #expect(try await sandbox.ledgerIntentCount() == 0)
            try await sandbox.setFaults(FaultPlan())
            let replayed = try await client.post("/v1/payment_intents", createParams, idempotencyKey: "ean")
            #expect(replayed.status == 500)
            #expect(replayed.errorField("type") == "api_error")
            #expect(replayed.headers["idempotent-replayed"] == "true")
            #expect(try await sandbox.ledgerIntentCount() == 0)
        }
    }

    @Test func errorAfterNoopLeavesACaptureUndone() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.heldIntent()
            try await sandbox.setFaults(FaultPlan(errorAfterNoop: 1))
            #expect(try await client.post("/v1/payment_intents/\(id)/capture", idempotencyKey: "ean-capture").status == 500)
            try await sandbox.setFaults(FaultPlan())
            #expect(try await sandbox.ledgerIntent(id)?["status"] as? String == "requires_capture")
            let replayed = try await client.post("/v1/payment_intents/\(id)/capture", idempotencyKey: "ean-capture")
            #expect(replayed.status == 500)
            #expect(replayed.headers["idempotent-replayed"] == "true")
            #expect(try await sandbox.ledgerIntent(id)?["status"] as? String == "requires_capture")
            // Only a new key can try again, and the intent is still capturable.
            let captured = try await client.post("/v1/payment_intents/\(id)/capture", idempotencyKey: "ean-capture-2")
            #expect(captured.string("status") == "succeeded")
        }
    }

    @Test func refuseAnswers400LeavesTheIntentAndTheKeyReplaysIt() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.heldIntent()
            try await sandbox.setFaults(FaultPlan(refuse: .init(capture: 1, cancel: 1)))
            for (operation, key) in [("capture", "rc"), ("cancel", "rx")] {
                let refused = try await client.post("/v1/payment_intents/\(id)/\(operation)", idempotencyKey: key)
                #expect(refused.status == 400, "\(operation)")
                #expect(refused.errorField("type") == "invalid_request_error")
                #expect(refused.errorField("code") == "payment_intent_unexpected_state")
                #expect((refused.error["payment_intent"] as? [String: Any])?["status"] as? String == "requires_capture")
                #expect(try await sandbox.ledgerIntent(id)?["status"] as? String == "requires_capture")
            }
            try await sandbox.setFaults(FaultPlan())
            let replayed = try await client.post("/v1/payment_intents/\(id)/capture", idempotencyKey: "rc")
            #expect(replayed.status == 400)
            #expect(replayed.headers["idempotent-replayed"] == "true")
            #expect(try await sandbox.ledgerIntent(id)?["status"] as? String == "requires_capture")
            #expect(try await client.post("/v1/payment_intents/\(id)/capture", idempotencyKey: "rc-2").string("status") == "succeeded")
        }
    }

    @Test func refuseAnswersARefund400AndRefundsNothing() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.paidIntent()
            try await sandbox.setFaults(FaultPlan(refuse: .init(refund: 1)))
            let refused = try await client.post("/v1/refunds", [("payment_intent", id)], idempotencyKey: "rr")
            #expect(refused.status == 400)
            #expect(refused.errorField("type") == "invalid_request_error")
            #expect(refused.errorField("code") == "balance_insufficient")
            #expect((try await sandbox.ledger()["refunds"] as? [Any])?.isEmpty == true)
            #expect(try await sandbox.ledgerIntent(id)?["amount_refunded"] as? Int == 0)
            // Other operations are not refused.
            #expect(try await client.paidIntent() != id)
            try await sandbox.setFaults(FaultPlan())
            let replayed = try await client.post("/v1/refunds", [("payment_intent", id)], idempotencyKey: "rr")
            #expect(replayed.status == 400)
            #expect(replayed.headers["idempotent-replayed"] == "true")
            #expect(try await client.post("/v1/refunds", [("payment_intent", id)], idempotencyKey: "rr-2").status == 200)
        }
    }

    @Test func refuseFiresOnlyWhereTheOperationWouldSucceed() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let unconfirmed = try await client.createIntent()
            try await sandbox.setFaults(FaultPlan(refuse: .init(capture: 1, cancel: 1, refund: 1)))
            #expect(try await client.post("/v1/payment_intents/pi_missing/capture").status == 404)
            let wrongState = try await client.post("/v1/payment_intents/\(unconfirmed)/capture")
            #expect(wrongState.status == 400)
            #expect(wrongState.errorField("message")?.contains("status of requires_payment_method") == true)
            let unknownParameter = try await client.post("/v1/refunds", [("payment_intent", unconfirmed), ("bogus", "1")])
            #expect(unknownParameter.errorField("code") == "parameter_unknown")
            #expect(try await client.injected()["refuse"] == 0)
            #expect(try await client.post("/v1/payment_intents/\(unconfirmed)/cancel").status == 400)
            #expect(try await client.injected()["refuse"] == 1)
        }
    }

    @Test func unauthorizedAnswersStripes401AndSavesNothing() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            try await sandbox.setFaults(FaultPlan(unauthorized: 1))
            let refused = try await client.post("/v1/payment_intents", createParams, idempotencyKey: "ua")
            #expect(refused.status == 401)
            #expect(refused.errorField("type") == "invalid_request_error")
            #expect(refused.errorField("message")?.hasPrefix("Invalid API Key provided: sk_test_***") == true)
            #expect(refused.errorField("message")?.contains(SandboxHarness.apiKey) == false)
            #expect(try await sandbox.ledgerIntentCount() == 0)
            try await sandbox.setFaults(FaultPlan())
            let retried = try await client.post("/v1/payment_intents", createParams, idempotencyKey: "ua")
            #expect(retried.status == 200)
            #expect(retried.headers["idempotent-replayed"] == nil)
        }
    }

    @Test func unreadable2xxExecutesAndTheKeyReplaysTheTrueAnswer() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            try await sandbox.setFaults(FaultPlan(unreadable2xx: 1))
            let unreadable = try await client.post("/v1/payment_intents", createParams, idempotencyKey: "u2")
            #expect(unreadable.status == 200)
            #expect(unreadable.json["status"] == nil)
            let id = try #require(unreadable.string("id"))
            #expect(try await sandbox.ledgerIntent(id)?["status"] as? String == "requires_payment_method")
            // Replays are sent as saved, even with the fault on; answers without a status are left alone.
            let replayed = try await client.post("/v1/payment_intents", createParams, idempotencyKey: "u2")
            #expect(replayed.headers["idempotent-replayed"] == "true")
            #expect(replayed.string("id") == id)
            #expect(replayed.string("status") == "requires_payment_method")
            #expect(try await client.get("/v1/refunds").string("object") == "list")
            #expect(try await client.post("/v1/payment_intents", [("currency", "usd")]).errorField("code") == "parameter_missing")
            #expect(try await client.injected()["unreadable_2xx"] == 1)
        }
    }

    @Test func injectedCountsEachFaultThatFiredSinceThePlanWasReplaced() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let cases: [(String, FaultPlan)] = [
                ("error_before", FaultPlan(errorBefore: 1)), ("error_after", FaultPlan(errorAfter: 1)),
                ("error_after_noop", FaultPlan(errorAfterNoop: 1)), ("unauthorized", FaultPlan(unauthorized: 1)),
                ("unreadable_2xx", FaultPlan(unreadable2xx: 1)),
            ]
            for (name, plan) in cases {
                try await sandbox.setFaults(plan)
                for index in 0..<3 {
                    _ = try await client.post("/v1/payment_intents", createParams, idempotencyKey: "\(name)-\(index)")
                }
                let injected = try await client.injected()
                #expect(injected[name] == 3, "\(name): \(injected)")
                #expect(injected.filter { $0.key != name }.values.allSatisfy { $0 == 0 }, "\(name): \(injected)")
            }
            try await sandbox.setFaults(FaultPlan())
            let injected = try await client.injected()
            #expect(Set(injected.keys) == [
                "error_before", "error_after", "error_after_noop", "drop_before", "drop_after", "rate_limit_rps", "refuse",
                "unauthorized", "unreadable_2xx", "webhook_duplicate", "webhook_drop_first",
            ])
            #expect(injected.values.allSatisfy { $0 == 0 })
        }
    }

    @Test func injectedCountsThe429s() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            try await sandbox.setFaults(FaultPlan(rateLimitRps: 1))
            var limited = 0
            for _ in 0..<4 {
                if try await client.get("/v1/refunds").status == 429 { limited += 1 }
            }
            #expect(limited > 0)
            #expect(try await client.injected()["rate_limit_rps"] == limited)
        }
    }

    @Test func dropBeforeClosesTheConnectionWithNothingDone() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            try await sandbox.setFaults(FaultPlan(dropBefore: 1))
            await #expect(throws: HTTPTransportError.self) {
                try await client.post("/v1/payment_intents", createParams, idempotencyKey: "db")
            }
            #expect(try await sandbox.ledgerIntentCount() == 0)
            try await sandbox.setFaults(FaultPlan())
            let retried = try await client.post("/v1/payment_intents", createParams, idempotencyKey: "db")
            #expect(retried.status == 200)
            #expect(retried.headers["idempotent-replayed"] == nil)
        }
    }

    @Test func dropAfterExecutesAndTheKeyReplaysTheTrueAnswer() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.createIntent()
            try await sandbox.setFaults(FaultPlan(dropAfter: 1))
            do {
                _ = try await client.confirm(id, idempotencyKey: "da")
                Issue.record("expected the connection to drop")
            } catch {
                #expect((error as? HTTPTransportError)?.kind == .noAnswer)
            }
            try await sandbox.setFaults(FaultPlan())
            #expect(try await sandbox.ledgerIntent(id)?["confirmations"] as? Int == 1)
            let replayed = try await client.confirm(id, idempotencyKey: "da")
            #expect(replayed.status == 200)
            #expect(replayed.headers["idempotent-replayed"] == "true")
            #expect(replayed.string("status") == "requires_capture")
        }
    }

    @Test func latencyIsAdded() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            try await sandbox.setFaults(FaultPlan(latencyMs: [300, 400]))
            let start = ContinuousClock.now
            #expect(try await client.get("/v1/refunds").status == 200)
            #expect(ContinuousClock.now - start >= .milliseconds(300))
        }
    }

    @Test func rateLimitAnswers429AndSavesNothing() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            try await sandbox.setFaults(FaultPlan(rateLimitRps: 1))
            // Sent together, so they land in the same second however loaded the machine is.
            let answers = try await withThrowingTaskGroup(of: (String, Int).self) { group in
                for index in 0..<6 {
                    group.addTask { ("rl-\(index)", try await client.post("/v1/payment_intents", createParams, idempotencyKey: "rl-\(index)").status) }
                }
                return try await group.reduce(into: [(String, Int)]()) { $0.append($1) }
            }
            #expect(Set(answers.map(\.1)).isSubset(of: [200, 429]))
            let limited = try #require(answers.first { $0.1 == 429 }?.0)
            try await sandbox.setFaults(FaultPlan())
            let later = try await client.post("/v1/payment_intents", createParams, idempotencyKey: limited)
            #expect(later.status == 200)
            #expect(later.headers["idempotent-replayed"] == nil)
        }
    }

    @Test func searchLagsBehindChanges() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            try await sandbox.setFaults(FaultPlan(searchLagMs: 3000))
            let start = ContinuousClock.now
            let id = try await client.createIntent(metadata: ["payment_id": "lagging"])
            let query = [("query", "metadata['payment_id']:'lagging'")]
            let early = try await client.get("/v1/payment_intents/search", query).json["data"] as? [Any]
            // Judged only inside the lag window (a loaded machine can take a while to get here).
            if ContinuousClock.now - start < .milliseconds(2900) { #expect(early?.count == 0) }
            // GET by id is immediately consistent.
            #expect(try await client.get("/v1/payment_intents/\(id)").status == 200)
            try await Task.sleep(for: .milliseconds(3100))
            let found = try await client.get("/v1/payment_intents/search", query).json["data"] as? [[String: Any]]
            #expect(found?.first?["id"] as? String == id)
        }
    }

    @Test func aSeedMakesTheDrawsRepeatable() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            func statuses() async throws -> [Int] {
                try await sandbox.setFaults(FaultPlan(errorBefore: 0.5, seed: 42))
                var statuses: [Int] = []
                for _ in 0..<12 { statuses.append(try await client.get("/v1/refunds").status) }
                return statuses
            }
            let first = try await statuses()
            let second = try await statuses()
            #expect(first == second)
            #expect(first.contains(500) && first.contains(200))
        }
    }

    @Test func cliFlagsSetThePlanAtStart() async throws {
        let plan = FaultPlan(errorBefore: 1)
        try await withStripeSandbox(SandboxConfiguration(port: 0, faults: plan)) { (sandbox: SandboxHarness) async throws in
            #expect(try await StripeTestClient(sandbox).get("/v1/refunds").status == 500)
            // Faults apply to /v1 only.
            #expect(try await sandbox.ledgerIntentCount() == 0)
        }
    }
}
