import Foundation
import Testing
import TestSupport

@Suite("Refunds")
struct RefundTests {
    @Test func refundDefaultsToAllThatIsLeft() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.paidIntent(amount: 1500)
            let partial = try await client.post("/v1/refunds", [
                ("payment_intent", id), ("amount", "500"), ("reason", "requested_by_customer"), ("metadata[refund_id]", "r-1"),
            ])
            #expect(partial.status == 200)
            #expect(partial.string("id")?.hasPrefix("re_") == true)
            #expect(partial.string("object") == "refund")
            #expect(partial.string("status") == "succeeded")
            #expect(partial.int("amount") == 500)
            #expect(partial.string("payment_intent") == id)
            #expect(partial.string("reason") == "requested_by_customer")
            #expect(partial.json["metadata"] as? [String: String] == ["refund_id": "r-1"])

            let rest = try await client.post("/v1/refunds", [("payment_intent", id)])
            #expect(rest.int("amount") == 1000)

            let nothingLeft = try await client.post("/v1/refunds", [("payment_intent", id), ("amount", "1")])
            #expect(nothingLeft.status == 400)
            #expect(nothingLeft.errorField("type") == "invalid_request_error")
            #expect(nothingLeft.errorField("code") == "charge_already_refunded")

            #expect(try await sandbox.ledgerIntent(id)?["amount_refunded"] as? Int == 1500)
        }
    }

    @Test func refundingMoreThanIsLeftIsRefused() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.paidIntent(amount: 1000)
            _ = try await client.post("/v1/refunds", [("payment_intent", id), ("amount", "700")])
            let tooMuch = try await client.post("/v1/refunds", [("payment_intent", id), ("amount", "301")])
            #expect(tooMuch.status == 400)
            #expect(tooMuch.errorField("type") == "invalid_request_error")
            #expect(tooMuch.errorField("param") == "amount")
        }
    }

    @Test func onlyCapturedMoneyIsRefundable() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let held = try await client.createIntent(capture: "manual")
            _ = try await client.confirm(held)
            let refused = try await client.post("/v1/refunds", [("payment_intent", held)])
            #expect(refused.status == 400)
            #expect(refused.errorField("type") == "invalid_request_error")

            _ = try await client.post("/v1/payment_intents/\(held)/capture", [("amount_to_capture", "400")])
            let tooMuch = try await client.post("/v1/refunds", [("payment_intent", held), ("amount", "401")])
            #expect(tooMuch.status == 400)
            let all = try await client.post("/v1/refunds", [("payment_intent", held)])
            #expect(all.int("amount") == 400)
        }
    }

    @Test func retrieveAndListByPaymentIntent() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.paidIntent()
            let other = try await client.paidIntent()
            let first = try await client.post("/v1/refunds", [("payment_intent", id), ("amount", "100")]).string("id")!
            let second = try await client.post("/v1/refunds", [("payment_intent", id), ("amount", "200")]).string("id")!
            _ = try await client.post("/v1/refunds", [("payment_intent", other)])

            let one = try await client.get("/v1/refunds/\(first)")
            #expect(one.int("amount") == 100)
            let list = try await client.get("/v1/refunds", [("payment_intent", id)])
            #expect(list.string("object") == "list")
            #expect(list.json["has_more"] as? Bool == false)
            let ids = (list.json["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids == [second, first])
            #expect(try await client.get("/v1/refunds/re_missing").status == 404)
        }
    }

    @Test func sandboxRouteFailsARefundNow() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let admin = StripeTestClient(sandbox, apiKey: nil)
            let id = try await client.paidIntent(amount: 1000)
            let refundID = try #require(try await client.post("/v1/refunds", [("payment_intent", id), ("amount", "400")]).string("id"))

            let failed = try await admin.post("/_sandbox/refunds/\(refundID)/fail")
            #expect(failed.status == 200)
            #expect(failed.string("object") == "refund")
            #expect(failed.string("id") == refundID)
            #expect(failed.string("status") == "failed")
            #expect(failed.string("failure_reason") != nil)
            #expect(try await client.get("/v1/refunds/\(refundID)").string("status") == "failed")
            #expect(try await sandbox.ledgerIntent(id)?["amount_refunded"] as? Int == 0)
            let ledgerRefund = (try await sandbox.ledger()["refunds"] as? [[String: Any]])?.first
            #expect(ledgerRefund?["status"] as? String == "failed")

            let again = try await admin.post("/_sandbox/refunds/\(refundID)/fail")
            #expect(again.status == 409)
            #expect(again.errorField("type") == "invalid_request_error")
            #expect(try await admin.post("/_sandbox/refunds/re_missing/fail").status == 404)
            // The money is back on the charge: all of it can be refunded.
            #expect(try await client.post("/v1/refunds", [("payment_intent", id)]).int("amount") == 1000)
        }
    }

    @Test func aRefundFailedByTheRouteIsNotFailedAgainLater() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.paidIntent(amount: 1000, paymentMethod: "pm_card_refundFail")
            let refundID = try #require(try await client.post("/v1/refunds", [("payment_intent", id), ("amount", "600")]).string("id"))
            #expect(try await StripeTestClient(sandbox, apiKey: nil).post("/_sandbox/refunds/\(refundID)/fail").status == 200)
            _ = try await client.post("/v1/refunds", [("payment_intent", id), ("amount", "300")])
            try await Task.sleep(for: .milliseconds(2500))
            // The delayed failure of the first refund changed nothing more (the second failed on its own).
            #expect(try await client.get("/v1/refunds/\(refundID)").string("status") == "failed")
            #expect(try await sandbox.ledgerIntent(id)?["amount_refunded"] as? Int == 0)
            #expect(try await client.post("/v1/refunds", [("payment_intent", id)]).int("amount") == 1000)
        }
    }

    @Test func refundFailTurnsFailedTwoSecondsLater() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.paidIntent(amount: 1000, paymentMethod: "pm_card_refundFail")
            let refund = try await client.post("/v1/refunds", [("payment_intent", id)])
            #expect(refund.string("status") == "succeeded")
            let refundID = try #require(refund.string("id"))
            #expect(try await sandbox.ledgerIntent(id)?["amount_refunded"] as? Int == 1000)

            try await Task.sleep(for: .milliseconds(1500))
            #expect(try await client.get("/v1/refunds/\(refundID)").string("status") == "succeeded")
            try await Task.sleep(for: .milliseconds(1000))
            let failed = try await client.get("/v1/refunds/\(refundID)")
            #expect(failed.string("status") == "failed")
            #expect(failed.string("failure_reason") != nil)
            #expect(try await sandbox.ledgerIntent(id)?["amount_refunded"] as? Int == 0)
            // The money is back on the charge, so it can be refunded again.
            #expect(try await client.post("/v1/refunds", [("payment_intent", id), ("amount", "10")]).status == 200)
        }
    }
}
