import Foundation
import Testing
import TestSupport

@Suite("PaymentIntents: create, confirm, capture, cancel, search")
struct PaymentIntentTests {
    @Test(arguments: [("usd", 50), ("eur", 50), ("gbp", 30), ("jpy", 50), ("hkd", 400)])
    func minimumAmounts(currency: String, minimum: Int) async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let below = try await client.post(
                "/v1/payment_intents", [("amount", "\(minimum - 1)"), ("currency", currency), ("payment_method_types[]", "card")]
            )
            #expect(below.status == 400)
            #expect(below.errorField("code") == "amount_too_small")
            #expect(below.errorField("param") == "amount")
            let atMinimum = try await client.post(
                "/v1/payment_intents", [("amount", "\(minimum)"), ("currency", currency.uppercased()), ("payment_method_types[]", "card")]
            )
            #expect(atMinimum.status == 200)
            #expect(atMinimum.string("currency") == currency)
        }
    }

    @Test func createdIntentIsAFullObject() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let reply = try await client.post("/v1/payment_intents", [
                ("amount", "2500"), ("currency", "usd"), ("capture_method", "manual"), ("payment_method_types[]", "card"),
                ("metadata[payment_id]", "p-1"), ("metadata[order_id]", "o-1"), ("description", "Order o-1"),
            ])
            #expect(reply.status == 200)
            #expect(reply.string("id")?.hasPrefix("pi_") == true)
            #expect(reply.string("object") == "payment_intent")
            #expect(reply.string("status") == "requires_payment_method")
            #expect(reply.int("amount") == 2500)
            #expect(reply.int("amount_capturable") == 0)
            #expect(reply.int("amount_received") == 0)
            #expect(reply.string("capture_method") == "manual")
            #expect(reply.json["livemode"] as? Bool == false)
            #expect(reply.json["latest_charge"] is NSNull)
            #expect(reply.json["last_payment_error"] is NSNull)
            #expect(reply.json["metadata"] as? [String: String] == ["payment_id": "p-1", "order_id": "o-1"])
            #expect(reply.json["payment_method_types"] as? [String] == ["card"])
            #expect(reply.int("created") != nil)
        }
    }

    @Test func createWithPaymentMethodOnlyNeedsConfirmation() async throws {
        try await withStripeSandbox { sandbox in
            let reply = try await StripeTestClient(sandbox).post("/v1/payment_intents", [
                ("amount", "1000"), ("currency", "usd"), ("payment_method", "pm_card_visa"), ("payment_method_types[]", "card"),
            ])
            #expect(reply.string("status") == "requires_confirmation")
            #expect(reply.string("payment_method") == "pm_card_visa")
        }
    }

    @Test func createAndConfirmInOneCall() async throws {
        try await withStripeSandbox { sandbox in
            let reply = try await StripeTestClient(sandbox).post("/v1/payment_intents", [
                ("amount", "1000"), ("currency", "usd"), ("capture_method", "automatic"), ("payment_method", "pm_card_visa"),
                ("confirm", "true"), ("off_session", "true"), ("payment_method_types[]", "card"),
            ])
            #expect(reply.string("status") == "succeeded")
            #expect(reply.int("amount_received") == 1000)
            #expect(try await sandbox.ledgerIntent(reply.string("id")!)?["confirmations"] as? Int == 1)
        }
    }

    @Test func serverSideConfirmWithoutCardOnlyNeedsAReturnURL() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let base = [("amount", "1000"), ("currency", "usd"), ("payment_method", "pm_card_visa"), ("confirm", "true"), ("off_session", "true")]
            let refused = try await client.post("/v1/payment_intents", base)
            #expect(refused.status == 400)
            #expect(refused.errorField("type") == "invalid_request_error")
            #expect(refused.errorField("message")?.contains("return_url") == true)
            #expect(try await sandbox.ledgerIntentCount() == 0)

            let noRedirects = try await client.post(
                "/v1/payment_intents",
                base + [("automatic_payment_methods[enabled]", "true"), ("automatic_payment_methods[allow_redirects]", "never")]
            )
            #expect(noRedirects.string("status") == "succeeded")
            let withReturnURL = try await client.post("/v1/payment_intents", base + [("return_url", "https://example.com/back")])
            #expect(withReturnURL.string("status") == "succeeded")
        }
    }

    @Test func manualCaptureHoldsThenCaptures() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.createIntent(amount: 1000, capture: "manual")
            let held = try await client.confirm(id)
            #expect(held.string("status") == "requires_capture")
            #expect(held.int("amount_capturable") == 1000)
            #expect(held.int("amount_received") == 0)

            let tooMuch = try await client.post("/v1/payment_intents/\(id)/capture", [("amount_to_capture", "1001")])
            #expect(tooMuch.status == 400)
            #expect(tooMuch.errorField("param") == "amount_to_capture")

            let captured = try await client.post("/v1/payment_intents/\(id)/capture", [("amount_to_capture", "600")])
            #expect(captured.string("status") == "succeeded")
            #expect(captured.int("amount_received") == 600)
            #expect(captured.int("amount_capturable") == 0)

            let again = try await client.post("/v1/payment_intents/\(id)/capture")
            #expect(again.status == 400)
            #expect(again.errorField("code") == "payment_intent_unexpected_state")
            #expect((again.error["payment_intent"] as? [String: Any])?["status"] as? String == "succeeded")

            let row = try #require(try await sandbox.ledgerIntent(id))
            #expect(row["amount_received"] as? Int == 600)
            #expect(row["status"] as? String == "succeeded")
        }
    }

    @Test func captureOnlyFromRequiresCapture() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.createIntent()
            let reply = try await client.post("/v1/payment_intents/\(id)/capture")
            #expect(reply.status == 400)
            #expect(reply.errorField("code") == "payment_intent_unexpected_state")
        }
    }

    @Test func cancelReleasesAHoldButNotASuccess() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let held = try await client.createIntent(capture: "manual")
            _ = try await client.confirm(held)
            let canceled = try await client.post("/v1/payment_intents/\(held)/cancel", [("cancellation_reason", "abandoned")])
            #expect(canceled.string("status") == "canceled")
            #expect(canceled.int("amount_capturable") == 0)
            #expect(canceled.string("cancellation_reason") == "abandoned")

            let unconfirmed = try await client.createIntent()
            #expect(try await client.post("/v1/payment_intents/\(unconfirmed)/cancel").string("status") == "canceled")

            let paid = try await client.paidIntent()
            let refused = try await client.post("/v1/payment_intents/\(paid)/cancel")
            #expect(refused.status == 400)
            #expect(refused.errorField("code") == "payment_intent_unexpected_state")
            #expect(try await client.confirm(held).status == 400)
        }
    }

    @Test func searchByMetadata() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.createIntent(metadata: ["payment_id": "6f1c-aa", "order_id": "o-9"])
            _ = try await client.createIntent(metadata: ["payment_id": "other"])
            let found = try await client.get("/v1/payment_intents/search", [("query", "metadata['payment_id']:'6f1c-aa'")])
            #expect(found.status == 200)
            #expect(found.string("object") == "search_result")
            #expect(found.json["has_more"] as? Bool == false)
            let data = try #require(found.json["data"] as? [[String: Any]])
            #expect(data.map { $0["id"] as? String } == [id])

            let none = try await client.get("/v1/payment_intents/search", [("query", "metadata['payment_id']:'nope'")])
            #expect((none.json["data"] as? [Any])?.isEmpty == true)
            let bad = try await client.get("/v1/payment_intents/search", [("query", "payment_id=1")])
            #expect(bad.status == 400)
        }
    }
}
