import Foundation
import Testing
import TestSupport

@Suite("expand[] on PaymentIntents")
struct ExpandTests {
    private static let expandCharge = [("expand[]", "latest_charge")]

    @Test func retrieveExpandsTheLatestChargeAndItsReview() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let (id, plain) = try await client.confirmed("pm_card_riskLevelElevated")
            let chargeID = try #require(plain.string("latest_charge"))

            let expanded = try await client.get("/v1/payment_intents/\(id)", Self.expandCharge)
            let charge = try #require(expanded.object("latest_charge"))
            #expect(charge.string("id") == chargeID)
            #expect(charge.string("object") == "charge")
            #expect(charge.string("review")?.hasPrefix("prv_") == true)

            let deeper = try await client.get("/v1/payment_intents/\(id)", [("expand[]", "latest_charge.review")])
            let review = try #require(deeper.object("latest_charge")?.object("review"))
            #expect(review.string("object") == "review")
            #expect(review.string("id") == charge.string("review"))
        }
    }

    @Test func withoutExpandTheAnswerIsUnchanged() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let (id, confirmed) = try await client.confirmed("pm_card_visa")
            let plain = try await client.get("/v1/payment_intents/\(id)")
            #expect(plain.text == confirmed.text)
            #expect(plain.json["latest_charge"] is String)
            let withExpand = try await client.get("/v1/payment_intents/\(id)", Self.expandCharge)
            #expect(withExpand.text != plain.text)
            #expect(withExpand.json.keys.sorted() == plain.json.keys.sorted())
        }
    }

    @Test func everyIntentCallExpands() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let created = try await client.post("/v1/payment_intents", [
                ("amount", "1000"), ("currency", "usd"), ("capture_method", "manual"), ("payment_method_types[]", "card"),
                ("payment_method", "pm_card_visa"), ("confirm", "true"), ("off_session", "true"),
            ] + Self.expandCharge)
            #expect(created.object("latest_charge")?.string("status") == "succeeded")
            let id = try #require(created.string("id"))
            let captured = try await client.post("/v1/payment_intents/\(id)/capture", Self.expandCharge)
            #expect(captured.object("latest_charge")?["captured"] as? Bool == true)

            let held = try await client.createIntent()
            let confirmed = try await client.post(
                "/v1/payment_intents/\(held)/confirm", [("payment_method", "pm_card_visa"), ("off_session", "true")] + Self.expandCharge
            )
            #expect(confirmed.object("latest_charge")?.string("payment_intent") == held)
            let canceled = try await client.post("/v1/payment_intents/\(held)/cancel", Self.expandCharge)
            #expect(canceled.string("status") == "canceled")
            #expect(canceled.object("latest_charge")?["captured"] as? Bool == false)

            // Nothing to expand yet: latest_charge stays null.
            let fresh = try await client.createIntent()
            #expect(try await client.get("/v1/payment_intents/\(fresh)", Self.expandCharge).json["latest_charge"] is NSNull)
        }
    }

    @Test func aDeclineExpandsTheIntentItCarries() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.createIntent()
            let reply = try await client.post(
                "/v1/payment_intents/\(id)/confirm",
                [("payment_method", "pm_card_chargeDeclined"), ("off_session", "true"), ("expand[]", "latest_charge")]
            )
            #expect(reply.status == 402)
            let intent = try #require(reply.error["payment_intent"] as? [String: Any])
            let charge = try #require(intent.object("latest_charge"))
            #expect(charge.string("id") == reply.errorField("charge"))
            #expect(charge.string("status") == "failed")
            #expect(charge.string("failure_code") == "card_declined")
        }
    }

    @Test(arguments: [
        ([("expand[]", "customer")], "customer", "expand[0]"),
        ([("expand[]", "latest_charge"), ("expand[]", "latest_charge.foo")], "latest_charge.foo", "expand[1]"),
        ([("expand[]", "latest_charge.review.charge")], "latest_charge.review.charge", "expand[0]"),
    ])
    func otherPathsCannotBeExpanded(expand: [(String, String)], refused: String, param: String) async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.createIntent()
            for reply in [
                try await client.get("/v1/payment_intents/\(id)", expand),
                try await client.post("/v1/payment_intents/\(id)/cancel", expand),
            ] {
                #expect(reply.status == 400)
                #expect(reply.errorField("type") == "invalid_request_error")
                #expect(reply.errorField("message") == "This property cannot be expanded (\(refused)).")
                #expect(reply.errorField("param") == param)
            }
            #expect(try await sandbox.ledgerIntent(id)?["status"] as? String == "requires_payment_method")
        }
    }

    @Test func aChargeExpandsItsReview() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.confirmed("pm_card_riskLevelElevated").id
            let chargeID = try #require(try await client.latestCharge(of: id).string("id"))
            let charge = try await client.get("/v1/charges/\(chargeID)", [("expand[]", "review")])
            #expect(charge.object("review")?.string("object") == "review")
            #expect(try await client.get("/v1/charges/\(chargeID)", [("expand[]", "customer")]).status == 400)
        }
    }
}
