import Foundation
import Testing
import TestSupport

@Suite("Cards that act later: pending refunds and disputes")
struct AsyncCardTests {
    @Test func aPendingRefundSucceedsByItself() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let id = try await client.paidIntent(paymentMethod: "pm_card_pendingRefund")
            let refund = try await client.post("/v1/refunds", [("payment_intent", id), ("amount", "400")])
            #expect(refund.status == 200)
            #expect(refund.string("status") == "pending")
            let refundID = try #require(refund.string("id"))
            #expect(try await sandbox.ledgerIntent(id)?["amount_refunded"] as? Int == 0)

            let updated = await receiver.object("refund.updated", id: refundID)
            #expect(updated?.string("status") == "succeeded")
            #expect(try await client.get("/v1/refunds/\(refundID)").string("status") == "succeeded")
            #expect(try await sandbox.ledgerIntent(id)?["amount_refunded"] as? Int == 400)
            let charge = await receiver.object("charge.refunded", id: try #require(refund.string("charge")))
            #expect(charge?.int("amount_refunded") == 400)
        }
    }

    @Test func aPendingRefundCanBeFailed() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let id = try await client.paidIntent(paymentMethod: "pm_card_pendingRefund")
            let refund = try await client.post("/v1/refunds", [("payment_intent", id)])
            let refundID = try #require(refund.string("id"))
            try await sandbox.failRefund(refundID)
            #expect(await receiver.object("refund.failed", id: refundID)?.string("status") == "failed")
            #expect(await receiver.object("refund.updated", id: refundID)?.string("status") == "failed")
            #expect(try await client.latestCharge(of: id).int("amount_refunded") == 0)
            // Past the time it would have succeeded, it is still failed and the money is still back.
            try await Task.sleep(for: .milliseconds(2500))
            #expect(try await client.get("/v1/refunds/\(refundID)").string("status") == "failed")
            #expect(try await sandbox.ledgerIntent(id)?["amount_refunded"] as? Int == 0)
            #expect(await receiver.types(about: refundID).filter { $0 == "refund.updated" }.count == 1)
            #expect(try await client.post("/v1/refunds", [("payment_intent", id)]).status == 200)
        }
    }

    @Test(arguments: ["automatic", "manual"])
    func aDisputeOpensOnceTheMoneyIsTaken(capture: String) async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let (id, reply) = try await client.confirmed("pm_card_createDispute", capture: capture, amount: 1500)
            let chargeID = try #require(reply.string("latest_charge"))
            if capture == "manual" {
                // A hold is not disputed: nothing arrives until the capture.
                try await Task.sleep(for: .milliseconds(1500))
                #expect(await receiver.deliveries.allSatisfy { $0.type != "charge.dispute.created" })
                #expect(try await client.charge(chargeID)["disputed"] as? Bool == false)
                _ = try await client.post("/v1/payment_intents/\(id)/capture")
            }
            let deliveries = await receiver.wait { $0.contains { $0.type == "charge.dispute.created" } }
            let dispute = try #require(deliveries.first { $0.type == "charge.dispute.created" }?.object)
            #expect(Set(dispute.keys) == [
                "id", "object", "amount", "balance_transactions", "charge", "payment_intent", "currency", "reason", "status",
                "created", "evidence_details", "is_charge_refundable", "livemode", "metadata",
            ])
            let disputeID = try #require(dispute.string("id"))
            #expect(disputeID.hasPrefix("dp_"))
            #expect(dispute.string("object") == "dispute")
            #expect(dispute.int("amount") == 1500)
            #expect(dispute.string("charge") == chargeID)
            #expect(dispute.string("payment_intent") == id)
            #expect(dispute.string("reason") == "fraudulent")
            #expect(dispute.string("status") == "needs_response")
            let read = try await client.get("/v1/disputes/\(disputeID)")
            #expect(read.status == 200)
            #expect(read.string("charge") == chargeID)
            #expect(try await client.charge(chargeID)["disputed"] as? Bool == true)
            #expect(try await client.get("/v1/disputes/dp_nope").status == 404)
        }
    }
}
