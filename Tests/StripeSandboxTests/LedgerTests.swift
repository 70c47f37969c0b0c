import Foundation
import StripeGateway
import Testing
import TestSupport

@Suite("Ledger and reset")
struct LedgerTests {
    @Test func ledgerHasTheContractShape() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.createIntent(amount: 2000, capture: "manual", metadata: ["payment_id": "p-7"])
            _ = try await client.confirm(id)
            _ = try await client.post("/v1/payment_intents/\(id)/capture", [("amount_to_capture", "1500")])
            let refund = try await client.post("/v1/refunds", [("payment_intent", id), ("amount", "500")]).string("id")
            let declined = try await client.createIntent()
            _ = try await client.confirm(declined, paymentMethod: "pm_card_chargeDeclined")

            let ledger = try await sandbox.ledger()
            #expect(Set(ledger.keys) == ["now", "offset", "payment_intents", "refunds", "charges", "disputes"])
            let intents = try #require(ledger["payment_intents"] as? [[String: Any]])
            #expect(intents.count == 2)
            let row = try #require(intents.first { $0["id"] as? String == id })
            #expect(Set(row.keys) == [
                "id", "amount", "amount_capturable", "amount_received", "amount_refunded", "currency", "status",
                "capture_method", "metadata", "confirmations", "cancellation_reason",
            ])
            #expect(row["amount"] as? Int == 2000)
            #expect(row["amount_capturable"] as? Int == 0)
            #expect(row["amount_received"] as? Int == 1500)
            #expect(row["amount_refunded"] as? Int == 500)
            #expect(row["currency"] as? String == "usd")
            #expect(row["status"] as? String == "succeeded")
            #expect(row["capture_method"] as? String == "manual")
            #expect(row["metadata"] as? [String: String] == ["payment_id": "p-7"])
            #expect(row["confirmations"] as? Int == 1)
            #expect(intents.first { $0["id"] as? String == declined }?["confirmations"] as? Int == 0)

            let refunds = try #require(ledger["refunds"] as? [[String: Any]])
            #expect(refunds.count == 1)
            #expect(Set(refunds[0].keys) == ["id", "payment_intent", "amount", "status"])
            #expect(refunds[0]["id"] as? String == refund)
            #expect(refunds[0]["payment_intent"] as? String == id)
            #expect(refunds[0]["amount"] as? Int == 500)
            #expect(refunds[0]["status"] as? String == "succeeded")
        }
    }

    @Test func ledgerNeedsNoAuthAndResetForgetsEverything() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            _ = try await client.post(
                "/v1/payment_intents", [("amount", "1000"), ("currency", "usd"), ("payment_method_types[]", "card")],
                idempotencyKey: "before-reset"
            )
            let http = CurlHTTPClient(maxConcurrent: 1)
            let raw = try await http.send(CurlRequest(method: "GET", url: sandbox.baseURL + "/_sandbox/ledger"))
            #expect(raw.status == 200)
            #expect(raw.headers["request-id"]?.hasPrefix("req_") == true)

            try await sandbox.reset()
            #expect(try await sandbox.ledgerIntentCount() == 0)
            let again = try await client.post(
                "/v1/payment_intents", [("amount", "1000"), ("currency", "usd"), ("payment_method_types[]", "card")],
                idempotencyKey: "before-reset"
            )
            #expect(again.headers["idempotent-replayed"] == nil)
        }
    }
}
