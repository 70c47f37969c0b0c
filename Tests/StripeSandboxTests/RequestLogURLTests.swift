import Foundation
import Testing
import TestSupport

@Suite("request_log_url in error objects")
struct RequestLogURLTests {
    /// (A replay keeps the saved body, so its log names the original request: IdempotencyTests.)
    private func expectLogURL(_ reply: Reply, naming requestID: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        let id = requestID ?? reply.requestID ?? "?"
        #expect(reply.errorField("request_log_url") == "https://dashboard.stripe.com/test/logs/\(id)", sourceLocation: sourceLocation)
        #expect(id.hasPrefix("req_"), sourceLocation: sourceLocation)
    }

    @Test func everyErrorNamesItsRequest() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.createIntent()
            let declined = try await client.confirm(id, paymentMethod: "pm_card_chargeDeclined")
            #expect(declined.status == 402)
            expectLogURL(declined)
            expectLogURL(try await client.post("/v1/payment_intents", [("amount", "1")]))
            expectLogURL(try await client.get("/v1/payment_intents/pi_nope"))
            expectLogURL(try await client.get("/v1/nothing_here"))
            expectLogURL(try await StripeTestClient(sandbox, apiKey: nil).get("/v1/payment_intents/\(id)"))
            expectLogURL(try await client.authenticate("pi_nope", outcome: "succeed"))
            expectLogURL(try await client.get("/_sandbox/nothing_here"))
        }
    }

    @Test func theIntentsLastPaymentErrorHasNone() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.createIntent()
            let declined = try await client.confirm(id, paymentMethod: "pm_card_chargeDeclined")
            let intent = try #require(declined.error["payment_intent"] as? [String: Any])
            #expect(intent.object("last_payment_error")?["request_log_url"] == nil)
            #expect(try await client.get("/v1/payment_intents/\(id)").object("last_payment_error")?["request_log_url"] == nil)
        }
    }
}
