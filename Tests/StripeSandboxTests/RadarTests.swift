import Foundation
import StripeSandbox
import Testing
import TestSupport

@Suite("Charges, Radar outcomes and reviews")
struct RadarTests {
    @Test(arguments: [
        ("pm_card_chargeDeclinedFraudulent", 95), ("pm_card_radarBlock", 95), ("pm_card_riskLevelHighest", 85),
    ])
    func blockedCardsAreDeclinedAsFraudulentWithABlockedCharge(paymentMethod: String, riskScore: Int) async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let (id, reply) = try await client.confirmed(paymentMethod)
            #expect(reply.status == 402)
            #expect(reply.errorField("type") == "card_error")
            #expect(reply.errorField("code") == "card_declined")
            #expect(reply.errorField("decline_code") == "fraudulent")
            let charge = try await client.charge(try #require(reply.errorField("charge")))
            #expect(charge.string("status") == "failed")
            #expect(charge.string("payment_intent") == id)
            let outcome = try #require(charge.object("outcome"))
            #expect(outcome.string("type") == "blocked")
            #expect(outcome.string("risk_level") == "highest")
            #expect(outcome.int("risk_score") == riskScore)
            #expect(outcome.string("reason") == "highest_risk_level")
            #expect(outcome.string("network_status") == "not_sent_to_network")
            #expect(Set(outcome.keys) == ["network_status", "reason", "risk_level", "risk_score", "rule", "seller_message", "type"])
            #expect(charge["review"] is NSNull)
            try await expectNoMoney(id, sandbox)
        }
    }

    @Test func issuerDeclinesAndAuthorizationsKeepANormalRisk() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let declined = try await client.confirmed("pm_card_chargeDeclinedInsufficientFunds").id
            let issuer = try #require(try await client.latestCharge(of: declined).object("outcome"))
            #expect(issuer.string("type") == "issuer_declined")
            #expect(issuer.string("risk_level") == "normal")
            #expect(issuer.string("reason") == "insufficient_funds")

            let paid = try await client.paidIntent()
            let charge = try await client.latestCharge(of: paid)
            #expect(charge.string("status") == "succeeded")
            #expect(charge.object("outcome")?.string("type") == "authorized")
            #expect(charge.object("outcome")?.string("risk_level") == "normal")
            #expect(charge["review"] is NSNull)
            #expect(charge["disputed"] as? Bool == false)
        }
    }

    @Test func chargeDeclinedFraudulentIsAlwaysBlockedAndHoldsNothing() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let (id, reply) = try await client.confirmed("pm_card_chargeDeclinedFraudulent", capture: "automatic")
            let intent = try #require(reply.error["payment_intent"] as? [String: Any])
            #expect(intent.string("status") == "requires_payment_method")
            #expect(intent.string("latest_charge") == reply.errorField("charge"))
            try await expectNoMoney(id, sandbox)
        }
    }

    @Test func elevatedRiskSucceedsAndOpensAReview() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let (id, reply) = try await client.confirmed("pm_card_riskLevelElevated")
            #expect(reply.string("status") == "requires_capture")
            #expect(try await sandbox.ledgerIntent(id)?["amount_capturable"] as? Int == 1000)
            let charge = try await client.latestCharge(of: id)
            #expect(charge.string("status") == "succeeded")
            #expect(charge.object("outcome")?.string("type") == "manual_review")
            #expect(charge.object("outcome")?.string("risk_level") == "elevated")
            let reviewID = try #require(charge.string("review"))
            #expect(reviewID.hasPrefix("prv_"))
            #expect(reply.string("review") == reviewID)

            let review = try await client.get("/v1/reviews/\(reviewID)")
            #expect(review.status == 200)
            #expect(Set(review.json.keys) == [
                "id", "object", "charge", "payment_intent", "open", "opened_reason", "closed_reason", "reason", "created", "livemode",
            ])
            #expect(review.string("object") == "review")
            #expect(review.string("charge") == charge.string("id"))
            #expect(review.string("payment_intent") == id)
            #expect(review.json["open"] as? Bool == true)
            #expect(review.string("opened_reason") == "rule")
            #expect(review.string("reason") == "rule")
            #expect(review.json["closed_reason"] is NSNull)
            let opened = await receiver.object("review.opened", id: reviewID)
            #expect(opened?.string("object") == "review")
        }
    }

    @Test func closingAReviewPublishesReviewClosed() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let reviewID = try await reviewedCharge(client).review
            let closed = try await client.postJSON("/_sandbox/reviews/\(reviewID)/close", #"{"reason": "approved"}"#)
            #expect(closed.status == 200)
            #expect(closed.json["open"] as? Bool == false)
            #expect(closed.string("closed_reason") == "approved")
            #expect(closed.string("reason") == "approved")
            #expect(try await client.get("/v1/reviews/\(reviewID)").string("closed_reason") == "approved")
            let event = await receiver.object("review.closed", id: reviewID)
            #expect(event?.string("closed_reason") == "approved")

            let again = try await client.postJSON("/_sandbox/reviews/\(reviewID)/close", #"{"reason": "refunded"}"#)
            #expect(again.status == 400)
            #expect(try await client.get("/v1/reviews/\(reviewID)").string("closed_reason") == "approved")
        }
    }

    @Test func closeRefusesAnUnknownReasonOrReview() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let reviewID = try await reviewedCharge(client).review
            let bad = try await client.postJSON("/_sandbox/reviews/\(reviewID)/close", #"{"reason": "bored"}"#)
            #expect(bad.status == 400)
            #expect(bad.errorField("param") == "reason")
            #expect(try await client.get("/v1/reviews/\(reviewID)").json["open"] as? Bool == true)
            let unknown = try await client.postJSON("/_sandbox/reviews/prv_nope/close", #"{"reason": "approved"}"#)
            #expect(unknown.status == 404)
            #expect(unknown.errorField("code") == "resource_missing")
            #expect(try await client.get("/v1/reviews/prv_nope").status == 404)
        }
    }

    @Test(arguments: [("cancel", "canceled"), ("refund", "refunded"), ("fraud refund", "refunded_as_fraud")])
    func cancelingOrRefundingClosesTheReview(action: String, closedReason: String) async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let (intent, reviewID) = try await reviewedCharge(client, capture: action == "cancel" ? "manual" : "automatic")
            switch action {
            case "cancel": _ = try await client.post("/v1/payment_intents/\(intent)/cancel")
            case "refund": _ = try await client.post("/v1/refunds", [("payment_intent", intent)])
            default: _ = try await client.post("/v1/refunds", [("payment_intent", intent), ("reason", "fraudulent")])
            }
            let review = try await client.get("/v1/reviews/\(reviewID)")
            #expect(review.json["open"] as? Bool == false)
            #expect(review.string("closed_reason") == closedReason)
        }
    }

    @Test func chargesGoThroughTheV1Pipeline() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let paid = try await client.paidIntent()
            let chargeID = try #require(try await client.get("/v1/payment_intents/\(paid)").string("latest_charge"))
            #expect(try await StripeTestClient(sandbox, apiKey: nil).get("/v1/charges/\(chargeID)").status == 401)
            let missing = try await client.get("/v1/charges/ch_nope")
            #expect(missing.status == 404)
            #expect(missing.errorField("code") == "resource_missing")
            try await sandbox.setFaults(FaultPlan(errorBefore: 1))
            #expect(try await client.get("/v1/charges/\(chargeID)").status == 500)
            #expect(try await sandbox.injected()["error_before"] == 1)
        }
    }

    /// A charge Radar placed in review: its intent and the review's id.
    private func reviewedCharge(_ client: StripeTestClient, capture: String = "manual") async throws -> (intent: String, review: String) {
        let (id, reply) = try await client.confirmed("pm_card_riskLevelElevated", capture: capture)
        guard let review = reply.string("review") else { throw ReplyError(reply: reply) }
        return (id, review)
    }
}
