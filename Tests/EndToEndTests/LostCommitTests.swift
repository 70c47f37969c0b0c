import Foundation
import StripeGateway
import StripeSandbox
import Testing
import TestSupport

/// A lost reply to a committing statement is an unknown outcome, not "nothing happened". A proxy in front of
/// PostgreSQL forwards the COMMIT (or the autocommit statement), lets the server commit it, and cuts the
/// connection before the reply arrives. Each write endpoint must then record its effect once and answer
/// exactly as it would have without the fault; a client's retry must be answered as a retry.
@Suite("Lost COMMIT replies, end to end")
struct LostCommitTests {
    static let wait = [("Prefer", "wait=10")]

    /// One service whose database connections all pass through a `DropProxy`.
    /// `webhooks`: the sandbox delivers its signed events to the service.
    static func withProxiedService(
        extra: [String: String] = [:], webhooks: Bool = false, _ body: (Stack, ServiceProcess, DropProxy) async throws -> Void
    ) async throws {
        let port = freePort()
        var sandbox = SandboxConfiguration(port: 0)
        if webhooks {
            sandbox.webhookURL = "http://127.0.0.1:\(port)/webhooks/stripe"
            sandbox.webhookSecret = Stack.webhookSecret
        }
        try await Stack.withStack(sandbox: sandbox) { stack in
            let proxy = try DropProxy.start(upstreamOf: stack.database.url)
            defer { proxy.stop() }
            let service = try await ServiceProcess.start(
                environment: stack.environment(extra: extra.merging(["DATABASE_URL": proxy.route(stack.database.url)]) { _, new in new }),
                port: webhooks ? port : nil)
            do {
                try await body(stack, service, proxy)
                #expect(!service.log().contains("unhandled error"))
                service.terminate()
            } catch {
                print("payment-service log:\n\(service.log())")
                service.kill()
                throw error
            }
        }
    }

    static func authorized(_ api: APIClient, capture: String = "manual") async throws -> String {
        let answer = try await api.post("/payments/authorize", json: authorizeBody(amount: 5000, capture: capture), headers: wait)
        #expect(answer.string("status") == (capture == "manual" ? "AUTHORIZED" : "CAPTURED"), "\(answer.text)")
        return try #require(answer.string("paymentId"))
    }

    @Test("refund: the lost COMMIT's refund is answered 201 once, a retry with its key is its replay, the processor refunds once")
    func refund() async throws {
        try await Self.withProxiedService { stack, service, proxy in
            let api = stack.client(service)
            let paymentId = try await Self.authorized(api, capture: "automatic")
            try proxy.arm(.commitAfter, matching: "INSERT INTO refunds")
            let key = [("Idempotency-Key", "lost-commit-refund")]
            let created = try await api.post("/payments/\(paymentId)/refunds", json: #"{"amount":1000}"#, headers: key)
            #expect(proxy.fired == 1)
            #expect(created.status == 201, "\(created.text)")
            let refundId = try #require(created.string("refundId"))
            let retried = try await api.post("/payments/\(paymentId)/refunds", json: #"{"amount":1000}"#, headers: key)
            #expect(retried.status == 200)
            #expect(retried.string("refundId") == refundId)
            #expect(try await stack.database.scalar("SELECT count(*) FROM refunds") == "1")
            let deadline = ContinuousClock.now + .seconds(20)
            while try await api.get("/refunds/\(refundId)").string("status") == "REQUESTED", ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(try await api.get("/refunds/\(refundId)").string("status") == "PROCESSED")
            #expect(try await api.get("/payments/\(paymentId)").int("amountRefunded") == 1000)

            // Without a key (the case that answered 500 "nothing was changed", then refunded twice on the retry).
            try proxy.arm(.commitAfter, matching: "INSERT INTO refunds")
            let unkeyed = try await api.post("/payments/\(paymentId)/refunds", json: #"{"amount":500}"#, headers: Self.wait)
            #expect(proxy.fired == 2)
            #expect(unkeyed.status == 201, "\(unkeyed.text)")
            #expect(unkeyed.string("status") == "PROCESSED")
            #expect(try await stack.database.scalar("SELECT count(*) FROM refunds") == "2")
            let refunds = try await stack.sandbox.ledger()["refunds"] as? [[String: Any]] ?? []
            #expect(refunds.map { $0["amount"] as? Int ?? 0 }.sorted() == [500, 1000])
            #expect(try await api.get("/payments/\(paymentId)").int("amountRefunded") == 1500)
            // A caller without a key finds what happened in the payment's refunds, newest first.
            let listed = (try await api.get("/payments/\(paymentId)/refunds").json["refunds"] as? [[String: Any]] ?? [])
            #expect(listed.map { $0["amount"] as? Int ?? 0 } == [500, 1000])
            #expect(try await api.get("/payments/\(UUID().uuidString)/refunds").status == 404)
        }
    }

    @Test("authorize, group commit: the lost reply of the batch statement is answered 201 with the committed payment")
    func authorizeBatched() async throws {
        try await Self.withProxiedService { stack, service, proxy in
            let api = stack.client(service)
            try proxy.arm(.ownReply, matching: "^authorize_batch$")
            let cart = UUID().uuidString.lowercased()
            let created = try await api.post("/payments/authorize", json: authorizeBody(cartId: cart))
            #expect(proxy.fired == 1)
            #expect(created.status == 201, "\(created.text)")
            let paymentId = try #require(created.string("paymentId"))
            #expect(try await stack.database.column("SELECT id::text FROM payments WHERE cart_id = \(cart)") == [paymentId])
            #expect(try await stack.database.scalar("SELECT count(*) FROM operations WHERE payment_id = \(paymentId)") == "1")
            #expect(try await stack.awaitSettled(api, paymentId: paymentId).string("status") == "AUTHORIZED")
            // Born leased to the worker in the same commit, and run under that lease: never claimed again.
            #expect(try await stack.database.scalar(
                "SELECT lease_generation || ' ' || attempts FROM operations WHERE payment_id = \(paymentId)") == "1 1")
        }
    }

    @Test("authorize with an Idempotency-Key: answered 201 once, the key's retry is its replay")
    func authorizeKeyed() async throws {
        try await Self.withProxiedService { stack, service, proxy in
            let api = stack.client(service)
            try proxy.arm(.commitAfter, matching: "INSERT INTO idempotency_keys")
            let body = authorizeBody()
            let key = [("Idempotency-Key", "lost-commit-authorize")]
            let created = try await api.post("/payments/authorize", json: body, headers: key)
            #expect(proxy.fired == 1)
            #expect(created.status == 201, "\(created.text)")
            let retried = try await api.post("/payments/authorize", json: body, headers: key)
            #expect(retried.status == 200)
            #expect(retried.string("paymentId") == created.string("paymentId"))
            #expect(try await stack.database.scalar("SELECT count(*) FROM payments") == "1")
        }
    }

    @Test("capture and void: the lost COMMIT's operation is queued once and the answer is the table's")
    func captureAndVoid() async throws {
        try await Self.withProxiedService { stack, service, proxy in
            let api = stack.client(service)
            for action in ["capture", "void"] {
                let paymentId = try await Self.authorized(api)
                try proxy.arm(.commitAfter, matching: "INSERT INTO operations \\(payment_id, refund_id, kind")
                let answer = try await api.post("/payments/\(paymentId)/\(action)", json: nil, headers: Self.wait)
                #expect(proxy.fired == (action == "capture" ? 1 : 2))
                #expect(answer.status == 200, "\(action): \(answer.text)")
                #expect(answer.string("status") == (action == "capture" ? "CAPTURED" : "VOIDED"), "\(action): \(answer.text)")
                #expect(try await stack.database.scalar("SELECT count(*) FROM operations WHERE payment_id = \(paymentId) AND kind = \(action)") == "1")
                let intents = try await stack.ledgerIntents()[paymentId] ?? []
                #expect(intents.count == 1)
                #expect(intents.first?["status"] as? String == (action == "capture" ? "succeeded" : "canceled"))
            }
        }
    }

    @Test("webhook: the lost COMMIT's event is answered 200 and recorded once")
    func webhook() async throws {
        try await Self.withProxiedService { stack, service, proxy in
            let open = stack.client(service, token: nil)
            try proxy.arm(.commitAfter, matching: "INSERT INTO webhook_events")
            let event = Array(#"{"id":"evt_lost_commit","object":"event","type":"payment_intent.succeeded","created":1,"data":{"object":{"id":"pi_x","object":"payment_intent","status":"succeeded","metadata":{}}}}"#.utf8)
            let signature = WebhookSignature.header(payload: event, secrets: [Stack.webhookSecret], timestamp: Int(Date().timeIntervalSince1970))
            let headers = [("Content-Type", "application/json"), ("Stripe-Signature", signature)]
            let answer = try await open.send("POST", "/webhooks/stripe", body: event, headers: headers)
            #expect(proxy.fired == 1)
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.string("received") == "evt_lost_commit")
            #expect(try await open.send("POST", "/webhooks/stripe", body: event, headers: headers).status == 200)
            #expect(try await stack.database.scalar("SELECT count(*) FROM webhook_events WHERE id = 'evt_lost_commit'") == "1")
        }
    }

    @Test("customer-present: the lost replies of the REQUIRES_ACTION write and of a later outcome write record each once; the abandoned intent is cancelled")
    func requiresAction() async throws {
        try await Self.withProxiedService(extra: ["AUTHENTICATION_TIMEOUT": "3"]) { stack, service, proxy in
            let api = stack.client(service)
            try proxy.arm(.ownReply, matching: "^finish_operation$")
            let body = authorizeBody(paymentMethod: "pm_card_threeDSecure2Required", extra: #""customerPresent":true"#)
            let waiting = try await api.post("/payments/authorize", json: body, headers: Self.wait)
            #expect(proxy.fired == 1)
            let paymentId = try #require(waiting.string("paymentId"))
            #expect(try await awaitStatus(api, paymentId, "REQUIRES_ACTION", timeout: .seconds(10)).string("status") == "REQUIRES_ACTION")
            try proxy.arm(.ownReply, matching: "^finish_operation$")
            let failed = try await awaitStatus(api, paymentId, "FAILED", timeout: .seconds(30))
            // The proxy counts a lost reply half a second after the server took the statement.
            let deadline = ContinuousClock.now + .seconds(5)
            while proxy.fired < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            #expect(proxy.fired == 2)
            #expect(failed.string("declineCode") == "authentication_abandoned", "\(failed.text)")
            let events = try await stack.database.column(
                "SELECT type FROM events WHERE payment_id = \(paymentId) ORDER BY type")
            #expect(events == ["payment-action-required", "payment-failed", "payment-requested"], "\(events)")
            let intents = try await stack.ledgerIntents()[paymentId] ?? []
            #expect(intents.map { $0["status"] as? String } == ["canceled"], "\(intents)")
        }
    }

    @Test("a lost COMMIT reply of a dispute's first record: one dispute, payment-disputed and the withdrawal once each")
    func disputeRecorded() async throws {
        try await Self.withProxiedService(webhooks: true) { stack, service, proxy in
            let api = stack.client(service)
            try proxy.arm(.commitAfter, matching: "INSERT INTO disputes")
            let body = authorizeBody(amount: 5000, paymentMethod: "pm_card_createDispute", capture: "automatic")
            let paymentId = try #require(try await api.post("/payments/authorize", json: body, headers: Self.wait).string("paymentId"))
            let deadline = ContinuousClock.now + .seconds(20)
            var disputes = try await stack.database.column("SELECT status FROM disputes WHERE payment_id = \(paymentId)")
            while (disputes.isEmpty || proxy.fired < 1), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                disputes = try await stack.database.column("SELECT status FROM disputes WHERE payment_id = \(paymentId)")
            }
            #expect(proxy.fired == 1)
            #expect(disputes == ["needs_response"], "\(disputes)")
            try await Task.sleep(for: .seconds(2))  // the dispute's second webhook and its read-back
            let events = try await stack.database.column(
                "SELECT type FROM events WHERE payment_id = \(paymentId) AND type LIKE '%disput%' ORDER BY type")
            #expect(events == ["dispute-funds-withdrawn", "payment-disputed"], "\(events)")
            #expect(try await api.get("/payments/\(paymentId)").json["amountDisputed"] as? Int == 5000)
        }
    }

    @Test("a lost COMMIT reply of a dashboard refund's record: one refund, its events once, amountRefunded once")
    func foreignRefundRecorded() async throws {
        try await Self.withProxiedService(webhooks: true) { stack, service, proxy in
            let api = stack.client(service)
            let body = authorizeBody(amount: 5000, paymentMethod: "pm_card_visa", capture: "automatic")
            let payment = try await api.post("/payments/authorize", json: body, headers: Self.wait)
            let paymentId = try #require(payment.string("paymentId"))
            try await Task.sleep(for: .milliseconds(500))  // the authorization's own webhooks first
            try proxy.arm(.commitAfter, matching: "failure_reason, origin")
            #expect(try await stack.sandbox.dashboardRefund(payment.string("processorReference") ?? "", amount: 1200).status == 200)
            let deadline = ContinuousClock.now + .seconds(20)
            while proxy.fired < 1, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
            #expect(proxy.fired == 1)
            var refunded = try await api.get("/payments/\(paymentId)").json["amountRefunded"] as? Int
            while refunded != 1200, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                refunded = try await api.get("/payments/\(paymentId)").json["amountRefunded"] as? Int
            }
            try await Task.sleep(for: .seconds(2))  // charge.refunded's sync too
            #expect(try await api.get("/payments/\(paymentId)").json["amountRefunded"] as? Int == 1200)
            #expect(try await stack.database.column("SELECT status FROM refunds WHERE payment_id = \(paymentId)") == ["PROCESSED"])
            let events = try await stack.database.column(
                "SELECT type FROM events WHERE payment_id = \(paymentId) AND type LIKE 'refund-%' ORDER BY type")
            #expect(events == ["refund-processed", "refund-requested"], "\(events)")
        }
    }

    @Test("operator retry: the lost COMMIT's new attempt is answered 202 once, audited once, captured once")
    func operatorRetry() async throws {
        try await Self.withProxiedService(extra: ["PAYMENT_API_TOKENS": OperatorActionTests.credentials]) { stack, service, proxy in
            let api = stack.client(service, token: "ops-secret")
            let (id, operation) = try await OperatorActionTests().refusedCapture(stack, api)
            try proxy.arm(.commitAfter, matching: "INSERT INTO operations")
            let retried = try await api.post("/operations/\(operation)/retry", json: nil, headers: [("X-Reason", "lost commit")])
            #expect(proxy.fired == 1)
            #expect(retried.status == 202, "\(retried.text)")
            let newAttempt = try #require(retried.json["operationId"] as? Int)
            #expect(newAttempt != operation)
            try await OperatorActionTests().capturedOnce(stack, api, id)
            let captures = try await stack.database.column("SELECT id::text FROM operations WHERE payment_id = \(id)::uuid AND kind = 'capture' ORDER BY id")
            #expect(captures == [String(operation), String(newAttempt)], "one new attempt, the one answered: \(captures)")
        }
    }

    @Test("operator sync: the lost COMMIT's read-back is answered 202, and every sync queued has its one audit row")
    func operatorSync() async throws {
        try await Self.withProxiedService(extra: ["PAYMENT_API_TOKENS": OperatorActionTests.credentials]) { stack, service, proxy in
            let api = stack.client(service, token: "ops-secret")
            let id = try await Self.authorized(api)
            try proxy.arm(.commitAfter, matching: "INSERT INTO operations")
            let synced = try await api.post("/payments/\(id)/sync", json: nil)
            #expect(proxy.fired == 1)
            #expect(synced.status == 202, "\(synced.text)")
            let answered = try #require(synced.json["operationId"] as? Int)
            let syncs = try await stack.database.column("SELECT id::text FROM operations WHERE payment_id = \(id)::uuid AND kind = 'sync' ORDER BY id")
            #expect(syncs.contains(String(answered)), "\(syncs)")
            let audited = try await stack.database.column(
                "SELECT subject FROM audit_log WHERE payment_id = \(id) AND action = 'sync' ORDER BY id")
            #expect(audited.count == syncs.count && !syncs.isEmpty, "syncs \(syncs), audit rows \(audited)")
            #expect(try await awaitStatus(api, id, "AUTHORIZED", timeout: .seconds(10)).string("status") == "AUTHORIZED")
        }
    }
}
