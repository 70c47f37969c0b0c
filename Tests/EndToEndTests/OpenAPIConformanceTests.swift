import Foundation
import StripeGateway
import StripeSandbox
import Testing
import TestSupport

/// Real answers of the running service held against its own `/openapi.json`: status documented for the
/// operation, content type as documented, the schema's required fields present.
@Suite("OpenAPI document against real answers")
struct OpenAPIConformanceTests {
    @Test("a sample of calls over every route conforms to the document")
    func sample() async throws {
        try await Stack.withService(webhooks: true) { stack, service in
            let api = stack.client(service)
            let open = stack.client(service, token: nil)
            let document = try await open.get("/openapi.json")
            #expect(document.status == 200)
            #expect(document.headers["content-type"] == "application/json")
            let contract = try OpenAPIContract(json: document.body)
            #expect(contract.document["openapi"] as? String == "3.1.0")
            var problems: [String] = []
            func check(_ method: String, _ template: String, _ answer: APIClient.Answer) {
                problems += contract.violations(method: method, path: template, answer: answer)
            }

            let cart = UUID().uuidString.lowercased()
            let body = authorizeBody(cartId: cart)
            let created = try await api.post("/payments/authorize", json: body, headers: [("Prefer", "wait=5")])
            check("POST", "/payments/authorize", created)
            let paymentId = created.string("paymentId") ?? ""
            check("POST", "/payments/authorize", try await api.post("/payments/authorize", json: body))
            check("POST", "/payments/authorize", try await api.post("/payments/authorize", json: authorizeBody(cartId: cart, amount: 5)))
            check("POST", "/payments/authorize", try await api.post("/payments/authorize", json: "{}"))
            check("POST", "/payments/authorize", try await open.post("/payments/authorize", json: body))
            check("POST", "/payments/authorize", try await api.send("POST", "/payments/authorize", body: Array(body.utf8), headers: [("Content-Type", "text/plain")]))
            check("POST", "/payments/authorize", try await api.post(
                "/payments/authorize", json: authorizeBody(paymentMethod: "pm_card_chargeDeclined"), headers: [("Prefer", "wait=5")]))
            check("GET", "/payments/{paymentId}", try await api.get("/payments/\(paymentId)"))
            check("GET", "/payments/{paymentId}", try await api.get("/payments/\(UUID().uuidString)"))
            check("GET", "/payments", try await api.get("/payments?cartId=\(cart)"))
            check("GET", "/payments", try await api.get("/payments?cartId=nope"))
            check("POST", "/payments/{paymentId}/capture", try await api.post("/payments/\(paymentId)/capture", json: #"{"amount":0}"#))
            check("POST", "/payments/{paymentId}/capture", try await api.post("/payments/\(paymentId)/capture", json: nil, headers: [("Prefer", "wait=5")]))
            check("POST", "/payments/{paymentId}/void", try await api.post("/payments/\(paymentId)/void", json: nil))
            let refund = try await api.post("/payments/\(paymentId)/refunds", json: #"{"amount":100}"#, headers: [("Idempotency-Key", "r-1")])
            check("POST", "/payments/{paymentId}/refunds", refund)
            check("POST", "/payments/{paymentId}/refunds", try await api.post("/payments/\(paymentId)/refunds", json: #"{"amount":100}"#, headers: [("Idempotency-Key", "r-1")]))
            check("GET", "/refunds/{refundId}", try await api.get("/refunds/\(refund.string("refundId") ?? "")"))
            check("GET", "/refunds/{refundId}", try await api.get("/refunds/\(UUID().uuidString)"))
            check("GET", "/events", try await api.get("/events?limit=5"))
            check("GET", "/events", try await api.get("/events?limit=0"))
            check("GET", "/events/stream", try await api.get("/events/stream?after=garbage"))
            check("POST", "/webhooks/stripe", try await open.post("/webhooks/stripe", json: "{}"))
            let event = Array(#"{"id":"evt_openapi","object":"event","type":"payment_intent.succeeded","created":1,"data":{"object":{"id":"pi_x","object":"payment_intent","status":"succeeded","metadata":{}}}}"#.utf8)
            let signature = WebhookSignature.header(payload: event, secrets: [Stack.webhookSecret], timestamp: Int(Date().timeIntervalSince1970))
            check("POST", "/webhooks/stripe", try await open.send(
                "POST", "/webhooks/stripe", body: event, headers: [("Content-Type", "application/json"), ("Stripe-Signature", signature)]))
            check("GET", "/reconciliation/runs", try await api.get("/reconciliation/runs"))
            check("GET", "/reconciliation/runs", try await open.get("/reconciliation/runs"))
            check("GET", "/reconciliation/runs/{runId}", try await api.get("/reconciliation/runs/\(UUID().uuidString)"))
            check("GET", "/health/live", try await open.get("/health/live"))
            check("GET", "/health/ready", try await open.get("/health/ready"))
            check("GET", "/metrics", try await open.get("/metrics"))
            check("GET", "/openapi.json", document)
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        }
    }
}
