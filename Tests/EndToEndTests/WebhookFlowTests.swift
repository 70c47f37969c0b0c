import Foundation
import Logging
import Store
import StripeGateway
import StripeSandbox
import Testing
import TestSupport

/// `POST /webhooks/stripe` through the real binary: verification, dedupe, and completion by read-back.
@Suite("Stripe webhooks, end to end")
struct WebhookFlowTests {
    static let secret = Stack.webhookSecret

    func event(_ id: String = "evt_\(UUID().uuidString.prefix(12))", type: String = "payment_intent.succeeded", object: String? = nil) -> [UInt8] {
        let object = object ?? #"{"id":"pi_unknown","object":"payment_intent","status":"succeeded","metadata":{}}"#
        return Array(#"{"id":"\#(id)","object":"event","type":"\#(type)","created":1,"data":{"object":\#(object)}}"#.utf8)
    }

    func post(_ api: APIClient, _ body: [UInt8], signature: String?) async throws -> APIClient.Answer {
        var headers = [("Content-Type", "application/json")]
        if let signature { headers.append(("Stripe-Signature", signature)) }
        return try await api.send("POST", "/webhooks/stripe", body: body, headers: headers)
    }

    @Test("the signature table: only a fresh signature by a configured secret is accepted, and nothing else changes anything")
    func verification() async throws {
        try await Stack.withService { stack, service async throws in
            let api = stack.client(service, token: nil)
            let now = Int(Date().timeIntervalSince1970)
            let body = event()
            let valid = WebhookSignature.header(payload: body, secrets: [Self.secret], timestamp: now)
            let rotated = WebhookSignature.header(payload: body, secrets: ["whsec_old_one", Self.secret], timestamp: now)
            let cases: [(String, String?, [UInt8], Int)] = [
                ("valid", valid, body, 200),
                ("two v1, one valid", rotated, body, 200),
                ("wrong secret", WebhookSignature.header(payload: body, secrets: ["whsec_wrong"], timestamp: now), event(), 400),
                ("stale", WebhookSignature.header(payload: event(), secrets: [Self.secret], timestamp: now - 301), event(), 400),
                ("future", WebhookSignature.header(payload: event(), secrets: [Self.secret], timestamp: now + 301), event(), 400),
                ("missing", nil, event(), 400),
                ("malformed header", "v1=abc,t=", event(), 400),
                ("body changed after signing", valid, event(), 400),
            ]
            for (name, signature, payload, status) in cases {
                let answer = try await post(api, payload, signature: signature)
                #expect(answer.status == status, "\(name): \(answer.text)")
                if status == 400 { #expect(answer.headers["content-type"] == "application/problem+json", "\(name)") }
            }
            let junk = Array(#"{"hello":"world"}"#.utf8)
            let malformed = try await post(api, junk, signature: WebhookSignature.header(payload: junk, secrets: [Self.secret], timestamp: now))
            #expect(malformed.status == 400)
            #expect(try await stack.database.scalar("SELECT count(*) FROM webhook_events") == "1")
        }
    }

    @Test("the same event three times is accepted three times and recorded once")
    func duplicates() async throws {
        try await Stack.withService { stack, service async throws in
            let api = stack.client(service, token: nil)
            let body = event("evt_duplicate_1")
            for _ in 0..<3 {
                let signature = WebhookSignature.header(payload: body, secrets: [Self.secret], timestamp: Int(Date().timeIntervalSince1970))
                #expect(try await post(api, body, signature: signature).status == 200)
            }
            #expect(try await stack.database.column("SELECT id FROM webhook_events") == ["evt_duplicate_1"])
        }
    }

    @Test("a payment whose confirmation answer was lost is completed by the processor's webhook")
    func webhookCompletesLostAnswer() async throws {
        try await Stack.withService(webhooks: true) { stack, service async throws in
            let api = stack.client(service)
            let stripe = StripeClient(
                configuration: StripeConfiguration(secretKey: SandboxHarness.apiKey, apiBase: stack.sandbox.baseURL),
                http: CurlHTTPClient(maxConcurrent: 1), logger: Logger(label: "test-stripe"))
            let paymentId = UUID().uuidString.lowercased()
            let cart = UUID().uuidString.lowercased()
            guard case .success(let intent) = await stripe.createPaymentIntent(
                CreatePaymentIntentParams(amount: 2000, currency: "USD", captureMethod: "manual", metadata: ["payment_id": paymentId, "order_id": cart]),
                idempotencyKey: "\(paymentId):authorize:create:0")
            else { Issue.record("create failed"); return }
            // As if the worker had sent the confirmation and lost its answer: dispatched, next try in an hour.
            try await stack.database.database.withConnection(rerun: .asIs) { tx throws(StoreError) in
                try tx.execute("""
                    INSERT INTO payments (id, cart_id, order_id, amount, currency, capture_mode, payment_method, command, status, processor_reference)
                    VALUES (\(paymentId), \(cart), \(cart), 2000, 'USD', 'manual', 'pm_card_visa', '{}', 'REQUESTED', \(intent.id))
                    """)
                try tx.execute("""
                    INSERT INTO operations (payment_id, kind, idempotency_key, dispatched_at, attempts, next_attempt_at)
                    VALUES (\(paymentId)::uuid, 'authorize', \(paymentId)::text || ':authorize', now(), 1, now() + interval '1 hour')
                    """)
            }
            guard case .success = await stripe.confirmPaymentIntent(id: intent.id, paymentMethod: "pm_card_visa", idempotencyKey: "lost-answer")
            else { Issue.record("confirm failed"); return }
            let settled = try await stack.awaitSettled(api, paymentId: paymentId, timeout: .seconds(15))
            #expect(settled.string("status") == "AUTHORIZED", "\(settled.text)")
            #expect(try await stack.database.column("SELECT type FROM events WHERE payment_id = \(paymentId) ORDER BY seq") == ["payment-succeeded"])
            #expect(try await Int(stack.database.scalar("SELECT count(*) FROM webhook_events") ?? "0") ?? 0 >= 1)
        }
    }

    @Test("duplicated and shuffled deliveries end in the same states as in-order ones")
    func duplicatedAndShuffled() async throws {
        let faults = FaultPlan(webhookDuplicate: 1, webhookReorder: true, seed: 7)
        try await Stack.withService(sandbox: SandboxConfiguration(port: 0, faults: faults), webhooks: true) { stack, service async throws in
            let api = stack.client(service)
            let wait = [("Prefer", "wait=10")]
            let authorized = try await api.post("/payments/authorize", json: authorizeBody(), headers: wait).string("paymentId") ?? ""
            let captured = try await api.post("/payments/authorize", json: authorizeBody(capture: "automatic"), headers: wait).string("paymentId") ?? ""
            let voided = try await api.post("/payments/authorize", json: authorizeBody(), headers: wait).string("paymentId") ?? ""
            _ = try await api.post("/payments/\(voided)/void", json: nil, headers: wait)
            let declined = try await api.post("/payments/authorize", json: authorizeBody(paymentMethod: "pm_card_chargeDeclined"), headers: wait)
                .string("paymentId") ?? ""
            let refunded = try await api.post("/payments/authorize", json: authorizeBody(amount: 3000, capture: "automatic"), headers: wait)
                .string("paymentId") ?? ""
            let refund = try await api.post("/payments/\(refunded)/refunds", json: #"{"amount":1000}"#, headers: wait)
            #expect(refund.string("status") == "PROCESSED")
            try await Task.sleep(for: .seconds(3))
            let expected = [authorized: "AUTHORIZED", captured: "CAPTURED", voided: "VOIDED", declined: "FAILED", refunded: "CAPTURED"]
            for (id, status) in expected {
                #expect(try await api.get("/payments/\(id)").string("status") == status, "\(id)")
            }
            #expect(try await api.get("/payments/\(refunded)").int("amountRefunded") == 1000)
            let distinct = try await stack.database.scalar("SELECT count(DISTINCT id) = count(*) FROM webhook_events")
            #expect(distinct == "t")
            #expect(try await Int(stack.database.scalar("SELECT count(*) FROM webhook_events") ?? "0") ?? 0 >= 5)
            let perType = try await stack.database.scalar(
                "SELECT count(*) FROM (SELECT subject_id, type FROM events GROUP BY 1, 2 HAVING count(*) > 1) dup")
            #expect(perType == "0")
        }
    }
}
