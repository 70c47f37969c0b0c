import Foundation
import Testing
import TestSupport

@Suite("Changes made behind the service's back: Dashboard refunds and cancels, lost events")
struct DashboardTests {
    @Test func aDashboardRefundHasNoMetadataAndSendsBothEvents() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let id = try await client.paidIntent(amount: 1500)
            let partial = try await sandbox.dashboardRefund(id, amount: 500)
            #expect(partial.status == 200)
            let refund = partial.json
            let refundID = try #require(refund["id"] as? String)
            #expect(refundID.hasPrefix("re_"))
            #expect(refund["object"] as? String == "refund")
            #expect(refund["status"] as? String == "succeeded")
            #expect(refund["amount"] as? Int == 500)
            #expect(refund["payment_intent"] as? String == id)
            #expect((refund["metadata"] as? [String: Any])?.isEmpty == true)
            #expect(await receiver.order(of: ["refund.created", "charge.refunded"]) == ["refund.created", "charge.refunded"])
            #expect(await receiver.object("refund.created", id: refundID)?.string("status") == "succeeded")
            let chargeID = try #require(refund["charge"] as? String)
            let charge = try #require(await receiver.object("charge.refunded", id: chargeID))
            #expect(charge.int("amount_refunded") == 500)
            #expect(charge["refunded"] as? Bool == false)

            // The rest by default; the service finds it by listing (no refund_id to match).
            let rest = try await sandbox.dashboardRefund(id)
            #expect(rest.json["amount"] as? Int == 1000)
            #expect(try await client.latestCharge(of: id)["refunded"] as? Bool == true)
            let listed = try await client.get("/v1/refunds", [("payment_intent", id)])
            #expect((listed.json["data"] as? [[String: Any]])?.count == 2)
            #expect(try await sandbox.ledgerIntent(id)?["amount_refunded"] as? Int == 1500)
        }
    }

    @Test func aDashboardRefundIsRefusedAsAnAPIRefundWouldBe() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let held = try await client.heldIntent()
            let notCaptured = try await sandbox.dashboardRefund(held)
            #expect(notCaptured.status == 400)
            #expect((notCaptured.json["error"] as? [String: Any])?.string("param") == "payment_intent")
            let paid = try await client.paidIntent(amount: 1000)
            let tooMuch = try await sandbox.dashboardRefund(paid, amount: 1001)
            #expect(tooMuch.status == 400)
            #expect((tooMuch.json["error"] as? [String: Any])?.string("code") == "amount_too_large")
            #expect(try await sandbox.dashboardRefund(paid, amount: 0).status == 400)
            #expect(try await sandbox.dashboardRefund("pi_nope").status == 404)
            _ = try await sandbox.dashboardRefund(paid)
            let again = try await sandbox.dashboardRefund(paid)
            #expect((again.json["error"] as? [String: Any])?.string("code") == "charge_already_refunded")
        }
    }

    @Test func aDashboardCancelReleasesTheHold() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let id = try await client.heldIntent(amount: 1200)
            let canceled = try await sandbox.dashboardCancel(id)
            #expect(canceled.status == 200)
            #expect(canceled.json["status"] as? String == "canceled")
            #expect(canceled.json["cancellation_reason"] as? String == "requested_by_customer")
            #expect(canceled.json["amount_capturable"] as? Int == 0)
            #expect(await receiver.object("payment_intent.canceled", id: id)?.string("cancellation_reason") == "requested_by_customer")
            let charge = try await client.latestCharge(of: id)
            #expect(charge["refunded"] as? Bool == true)
            #expect(charge.int("amount_refunded") == 1200)
            #expect(charge["captured"] as? Bool == false)
            #expect(try await sandbox.ledgerIntent(id)?["cancellation_reason"] as? String == "requested_by_customer")
            let capture = try await client.post("/v1/payment_intents/\(id)/capture")
            #expect(capture.errorField("code") == "payment_intent_unexpected_state")
        }
    }

    @Test func anAPICancelReleasesTheHoldToo() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.heldIntent(amount: 800)
            let canceled = try await client.post("/v1/payment_intents/\(id)/cancel", [("expand[]", "latest_charge")])
            #expect(canceled.string("status") == "canceled")
            let charge = try #require(canceled.object("latest_charge"))
            #expect(charge["refunded"] as? Bool == true)
            #expect(charge.int("amount_refunded") == 800)
            #expect(charge["captured"] as? Bool == false)
            // Nothing was taken, so nothing can be refunded.
            #expect(try await client.post("/v1/refunds", [("payment_intent", id)]).status == 400)
        }
    }

    @Test func aDashboardCancelOfAnIntentWithoutAHold() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let created = try await client.createIntent()
            #expect(try await sandbox.dashboardCancel(created).json["status"] as? String == "canceled")
            let again = try await sandbox.dashboardCancel(created)
            #expect(again.status == 400)
            #expect((again.json["error"] as? [String: Any])?.string("code") == "payment_intent_unexpected_state")
            let paid = try await client.paidIntent()
            #expect(try await sandbox.dashboardCancel(paid).status == 400)
            #expect(try await sandbox.dashboardCancel("pi_nope").status == 404)
        }
    }

    @Test func droppedEventsAreNeverDelivered() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let admin = StripeTestClient(sandbox, apiKey: nil)
            #expect(try await admin.get("/_sandbox/events/drop-next").int("remaining") == 0)
            let dropped = try await sandbox.dropNextEvents(2)
            #expect(dropped.status == 200)
            #expect(dropped.json["remaining"] as? Int == 2)
            let first = try await client.paidIntent()
            let second = try await client.paidIntent()
            let third = try await client.paidIntent()
            #expect(await receiver.object("payment_intent.succeeded", id: third) != nil)
            // Past the first retry: still nothing for the dropped two.
            try await Task.sleep(for: .milliseconds(1500))
            #expect(await receiver.types(about: first).isEmpty)
            #expect(await receiver.types(about: second).isEmpty)
            #expect(try await admin.get("/_sandbox/events/drop-next").int("remaining") == 0)
            // The objects themselves are as usual.
            #expect(try await client.get("/v1/payment_intents/\(first)").string("status") == "succeeded")

            #expect(try await admin.postJSON("/_sandbox/events/drop-next", "{}").int("remaining") == 1)
            #expect(try await admin.postJSON("/_sandbox/events/drop-next", #"{"count": -1}"#).status == 400)
            try await sandbox.reset()
            #expect(try await admin.get("/_sandbox/events/drop-next").int("remaining") == 0)
        }
    }
}
