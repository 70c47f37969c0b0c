import Foundation
import StripeSandbox
import Testing
import TestSupport

@Suite("Disputes: chargebacks, inquiries and what they do to refunds")
struct DisputeTests {
    @Test func aChargebackWithdrawsTheMoneyWhenItOpens() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let (id, dispute) = try await disputed(client, receiver, card: "pm_card_createDispute", amount: 2500)
            #expect(await receiver.order(of: ["charge.dispute.created", "charge.dispute.funds_withdrawn"]) == [
                "charge.dispute.created", "charge.dispute.funds_withdrawn",
            ])
            let disputeID = try #require(dispute.string("id"))
            #expect(disputeID.hasPrefix("dp_"))
            #expect(dispute.string("status") == "needs_response")
            #expect(dispute.string("reason") == "fraudulent")
            #expect(dispute["is_charge_refundable"] as? Bool == false)
            #expect(dispute.string("payment_intent") == id)
            #expect(dispute.object("metadata")?.isEmpty == true)
            let created = try #require(dispute.int("created"))
            let evidence = try #require(dispute.object("evidence_details"))
            #expect(evidence.int("due_by") == created + 7 * 86_400)
            #expect(evidence["has_evidence"] as? Bool == false)
            #expect(evidence["past_due"] as? Bool == false)
            #expect(evidence.int("submission_count") == 0)
            let transactions = try #require(dispute["balance_transactions"] as? [[String: Any]])
            #expect(transactions.count == 1)
            #expect(transactions.first?.string("object") == "balance_transaction")
            #expect(transactions.first?.string("id")?.hasPrefix("txn_") == true)
            #expect(transactions.first?.int("amount") == -2500)
            #expect(transactions.first?.string("currency") == "usd")
            #expect(transactions.first?.string("reporting_category") == "dispute")

            let read = try await client.get("/v1/disputes/\(disputeID)")
            #expect(read.status == 200)
            #expect(read.string("status") == "needs_response")
            #expect(try await client.latestCharge(of: id)["disputed"] as? Bool == true)
            let row = try #require(try await ledgerDispute(sandbox, disputeID))
            #expect(row["payment_intent"] as? String == id)
            #expect(row["amount"] as? Int == 2500)
            #expect(row["status"] as? String == "needs_response")
            #expect(row["is_charge_refundable"] as? Bool == false)
            #expect(row["funds_withdrawn"] as? Int == 2500)
            #expect(row["funds_reinstated"] as? Int == 0)
        }
    }

    @Test func anInquiryWithdrawsNothingAndStaysRefundable() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let (id, dispute) = try await disputed(client, receiver, card: "pm_card_createDisputeInquiry")
            let disputeID = try #require(dispute.string("id"))
            #expect(dispute.string("status") == "warning_needs_response")
            #expect(dispute.string("reason") == "fraudulent")
            #expect(dispute["is_charge_refundable"] as? Bool == true)
            #expect((dispute["balance_transactions"] as? [Any])?.isEmpty == true)
            try await Task.sleep(for: .milliseconds(300))
            #expect(await receiver.types(about: disputeID) == ["charge.dispute.created"])
            #expect(try await client.latestCharge(of: id)["disputed"] as? Bool == true)

            let refund = try await client.post("/v1/refunds", [("payment_intent", id), ("amount", "400")])
            #expect(refund.status == 200)
            #expect(try await ledgerDispute(sandbox, disputeID)?["funds_withdrawn"] as? Int == 0)
        }
    }

    @Test func anOpenChargebackRefusesRefunds() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let (id, dispute) = try await disputed(client, receiver, card: "pm_card_createDispute")
            let chargeID = try #require(dispute.string("charge"))
            let refused = try await client.post("/v1/refunds", [("payment_intent", id)])
            #expect(refused.status == 400)
            #expect(refused.errorField("type") == "invalid_request_error")
            #expect(refused.errorField("code") == "charge_disputed")
            #expect(refused.errorField("message") == "Charge \(chargeID) has been charged back; cannot issue a refund.")
            #expect(try await sandbox.dashboardRefund(id).status == 400)
            // Under review it is still open.
            try await sandbox.setDisputeStatus(try #require(dispute.string("id")), "under_review")
            #expect(try await client.post("/v1/refunds", [("payment_intent", id), ("amount", "10")]).errorField("code") == "charge_disputed")
            #expect(try await sandbox.ledgerIntent(id)?["amount_refunded"] as? Int == 0)
        }
    }

    @Test func winningAChargebackReinstatesTheMoney() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let (id, dispute) = try await disputed(client, receiver, card: "pm_card_createDispute")
            let disputeID = try #require(dispute.string("id"))
            let review = try await sandbox.setDisputeStatus(disputeID, "under_review")
            #expect(review.status == 200)
            #expect(review.json["status"] as? String == "under_review")
            #expect(await receiver.object("charge.dispute.updated", id: disputeID)?.string("status") == "under_review")

            let won = try await sandbox.setDisputeStatus(disputeID, "won")
            #expect(won.json["status"] as? String == "won")
            let order = await receiver.order(of: ["charge.dispute.closed", "charge.dispute.funds_reinstated"])
            #expect(order == ["charge.dispute.closed", "charge.dispute.funds_reinstated"])
            let reinstated = try #require(await receiver.object("charge.dispute.funds_reinstated", id: disputeID))
            let transactions = reinstated["balance_transactions"] as? [[String: Any]] ?? []
            #expect(transactions.map { $0.int("amount") } == [-1000, 1000])
            #expect(transactions.map { $0.string("reporting_category") } == ["dispute", "dispute_reversal"])
            #expect(try await client.get("/v1/disputes/\(disputeID)").string("status") == "won")
            let row = try #require(try await ledgerDispute(sandbox, disputeID))
            #expect(row["funds_reinstated"] as? Int == 1000)
            // Won: the charge can be refunded again.
            #expect(try await client.post("/v1/refunds", [("payment_intent", id)]).int("amount") == 1000)
        }
    }

    @Test func aLostChargebackKeepsItsAmount() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let (id, dispute) = try await disputed(client, receiver, card: "pm_card_createDispute", amount: 1000)
            let disputeID = try #require(dispute.string("id"))
            #expect(try await sandbox.setDisputeStatus(disputeID, "lost").status == 200)
            #expect(await receiver.object("charge.dispute.closed", id: disputeID)?.string("status") == "lost")
            try await Task.sleep(for: .milliseconds(300))
            #expect(await receiver.types(about: disputeID).contains("charge.dispute.funds_reinstated") == false)
            let refused = try await client.post("/v1/refunds", [("payment_intent", id), ("amount", "1")])
            #expect(refused.status == 400)
            #expect(refused.errorField("code") == "amount_too_large")
            #expect(refused.errorField("param") == "amount")
            #expect(try await sandbox.dashboardRefund(id).status == 400)
        }
    }

    @Test func inquiriesCloseOrArePrevented() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let first = try #require(try await disputed(client, receiver, card: "pm_card_createDisputeInquiry").dispute.string("id"))
            #expect(try await sandbox.setDisputeStatus(first, "warning_under_review").json["status"] as? String == "warning_under_review")
            #expect(await receiver.object("charge.dispute.updated", id: first)?.string("status") == "warning_under_review")
            #expect(try await sandbox.setDisputeStatus(first, "warning_closed").json["status"] as? String == "warning_closed")
            #expect(await receiver.object("charge.dispute.closed", id: first)?.string("status") == "warning_closed")

            let second = try #require(try await disputed(client, receiver, card: "pm_card_createDisputeInquiry").dispute.string("id"))
            #expect(try await sandbox.setDisputeStatus(second, "prevented").status == 200)
            #expect(await receiver.object("charge.dispute.closed", id: second)?.string("status") == "prevented")
        }
    }

    @Test func movesThatMakeNoSenseAreRefused() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let chargeback = try #require(try await disputed(client, receiver, card: "pm_card_createDispute").dispute.string("id"))
            let inquiry = try #require(try await disputed(client, receiver, card: "pm_card_createDisputeInquiry").dispute.string("id"))
            for status in ["warning_under_review", "warning_closed", "prevented"] {
                let refused = try await sandbox.setDisputeStatus(chargeback, status)
                #expect(refused.status == 400)
                #expect((refused.json["error"] as? [String: Any])?.string("param") == "status")
            }
            for status in ["under_review", "won", "lost"] {
                #expect(try await sandbox.setDisputeStatus(inquiry, status).status == 400)
            }
            #expect(try await sandbox.setDisputeStatus(chargeback, "needs_response").status == 400)
            #expect(try await sandbox.setDisputeStatus(chargeback, "maybe").status == 400)
            #expect(try await sandbox.setDisputeStatus("dp_nope", "won").status == 404)
            #expect(try await sandbox.setDisputeStatus(chargeback, "lost").status == 200)
            // Closed: nothing moves it again.
            #expect(try await sandbox.setDisputeStatus(chargeback, "won").status == 400)
            #expect(try await client.get("/v1/disputes/\(chargeback)").string("status") == "lost")
        }
    }

    @Test func fundsMoveAloneWithTheirEvents() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let disputeID = try #require(try await disputed(client, receiver, card: "pm_card_createDisputeInquiry").dispute.string("id"))
            let withdrawn = try await sandbox.moveDisputeFunds(disputeID, "withdrawn")
            #expect(withdrawn.status == 200)
            #expect((withdrawn.json["balance_transactions"] as? [[String: Any]])?.map { $0.int("amount") } == [-1000])
            #expect(await receiver.object("charge.dispute.funds_withdrawn", id: disputeID) != nil)
            let reinstated = try await sandbox.moveDisputeFunds(disputeID, "reinstated")
            #expect((reinstated.json["balance_transactions"] as? [[String: Any]])?.map { $0.string("reporting_category") } == [
                "dispute", "dispute_reversal",
            ])
            #expect(await receiver.object("charge.dispute.funds_reinstated", id: disputeID) != nil)
            #expect(reinstated.json["status"] as? String == "warning_needs_response")
            #expect(try await sandbox.moveDisputeFunds(disputeID, "sideways").status == 400)
            #expect(try await sandbox.moveDisputeFunds("dp_nope", "withdrawn").status == 404)
        }
    }

    @Test func disputesNeedAuthLikeEveryV1Call() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let disputeID = try #require(try await disputed(client, receiver, card: "pm_card_createDispute").dispute.string("id"))
            #expect(try await StripeTestClient(sandbox, apiKey: nil).get("/v1/disputes/\(disputeID)").status == 401)
            #expect(try await StripeTestClient(sandbox, apiKey: nil).get("/v1/disputes").status == 401)
            try await sandbox.setFaults(FaultPlan(errorBefore: 1))
            #expect(try await client.get("/v1/disputes/\(disputeID)").status == 500)
        }
    }

    /// A paid intent whose dispute has opened, and that dispute as `charge.dispute.created` carried it.
    private func disputed(
        _ client: StripeTestClient, _ receiver: WebhookReceiver, card: String, amount: Int = 1000
    ) async throws -> (id: String, dispute: [String: Any]) {
        let id = try await client.paidIntent(amount: amount, paymentMethod: card)
        let deliveries = await receiver.wait { $0.contains { $0.type == "charge.dispute.created" && $0.object.string("payment_intent") == id } }
        let dispute = try #require(deliveries.first { $0.type == "charge.dispute.created" && $0.object.string("payment_intent") == id }?.object)
        return (id, dispute)
    }

    private func ledgerDispute(_ sandbox: SandboxHarness, _ id: String) async throws -> [String: Any]? {
        let disputes = try await sandbox.ledger()["disputes"] as? [[String: Any]] ?? []
        return disputes.first { $0["id"] as? String == id }
    }
}
