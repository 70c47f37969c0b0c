import Foundation
import StripeSandbox
import Testing
import TestSupport

@Suite("List endpoints: created filters and pagination")
struct ListTests {
    @Test func paymentIntentsPageNewestFirst() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            var ids: [String] = []
            for _ in 0..<5 { ids.append(try await client.createIntent()) }
            let newest = Array(ids.reversed())

            let all = try await client.get("/v1/payment_intents")
            #expect(all.status == 200)
            #expect(all.string("object") == "list")
            #expect(all.string("url") == "/v1/payment_intents")
            #expect(all.json["has_more"] as? Bool == false)
            #expect(Self.ids(all) == newest)

            let first = try await client.get("/v1/payment_intents", [("limit", "2")])
            #expect(Self.ids(first) == Array(newest[0..<2]))
            #expect(first.json["has_more"] as? Bool == true)
            let second = try await client.get("/v1/payment_intents", [("limit", "2"), ("starting_after", newest[1])])
            #expect(Self.ids(second) == Array(newest[2..<4]))
            #expect(second.json["has_more"] as? Bool == true)
            let last = try await client.get("/v1/payment_intents", [("limit", "2"), ("starting_after", newest[3])])
            #expect(Self.ids(last) == [newest[4]])
            #expect(last.json["has_more"] as? Bool == false)

            let back = try await client.get("/v1/payment_intents", [("limit", "2"), ("ending_before", newest[4])])
            #expect(Self.ids(back) == Array(newest[2..<4]))
            #expect(back.json["has_more"] as? Bool == true)
            let top = try await client.get("/v1/payment_intents", [("limit", "2"), ("ending_before", newest[1])])
            #expect(Self.ids(top) == [newest[0]])
            #expect(top.json["has_more"] as? Bool == false)
        }
    }

    @Test func paymentIntentsFilterOnSandboxCreated() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let old = try await client.createIntent()
            let moved = try await sandbox.advanceClock("P2D")
            let now = try #require(moved.json["now"] as? Int)
            let new = try await client.createIntent()
            let boundary = now - 86_400

            #expect(Self.ids(try await client.get("/v1/payment_intents", [("created[gte]", "\(boundary)")])) == [new])
            #expect(Self.ids(try await client.get("/v1/payment_intents", [("created[gt]", "\(boundary)")])) == [new])
            #expect(Self.ids(try await client.get("/v1/payment_intents", [("created[lt]", "\(boundary)")])) == [old])
            #expect(Self.ids(try await client.get("/v1/payment_intents", [("created[lte]", "\(boundary)")])) == [old])
            let createdNew = try #require(try await client.get("/v1/payment_intents/\(new)").int("created"))
            #expect(Self.ids(try await client.get("/v1/payment_intents", [("created", "\(createdNew)")])) == [new])
            let both = [("created[gte]", "\(createdNew - 3 * 86_400)"), ("created[lte]", "\(createdNew)")]
            #expect(Self.ids(try await client.get("/v1/payment_intents", both)) == [new, old])
            #expect(Self.ids(try await client.get("/v1/payment_intents", [("created[gt]", "\(createdNew)")])) == [])
        }
    }

    @Test func paymentIntentsExpandEachLatestCharge() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let (held, _) = try await client.confirmed("pm_card_riskLevelElevated")
            let unconfirmed = try await client.createIntent()
            let listed = try await client.get("/v1/payment_intents", [("expand[]", "data.latest_charge")])
            let data = try #require(listed.json["data"] as? [[String: Any]])
            #expect(data.map { $0.string("id") } == [unconfirmed, held])
            #expect(data[0]["latest_charge"] is NSNull)
            let charge = try #require(data[1].object("latest_charge"))
            #expect(charge.string("object") == "charge")
            #expect(charge.string("payment_intent") == held)
            #expect(charge.string("review")?.hasPrefix("prv_") == true)

            let deeper = try await client.get("/v1/payment_intents", [("expand[]", "data.latest_charge.review")])
            let review = (deeper.json["data"] as? [[String: Any]])?[1].object("latest_charge")?.object("review")
            #expect(review?.string("object") == "review")
            let plain = try await client.get("/v1/payment_intents")
            #expect((plain.json["data"] as? [[String: Any]])?[1]["latest_charge"] is String)
            let refused = try await client.get("/v1/payment_intents", [("expand[]", "latest_charge")])
            #expect(refused.status == 400)
            #expect(refused.errorField("param") == "expand[0]")
        }
    }

    @Test(arguments: [
        ("limit", "0", "limit", nil), ("limit", "101", "limit", nil), ("limit", "ten", "limit", "parameter_invalid_integer"),
        ("created[gte]", "yesterday", "created[gte]", "parameter_invalid_integer"),
        ("created", "soon", "created", "parameter_invalid_integer"),
        ("created[after]", "1", "created[after]", "parameter_unknown"),
        ("starting_after", "pi_nope", "starting_after", "resource_missing"),
        ("ending_before", "pi_nope", "ending_before", "resource_missing"),
        ("colour", "red", "colour", "parameter_unknown"),
    ] as [(String, String, String, String?)])
    func badParametersAre400(name: String, value: String, param: String, code: String?) async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            _ = try await client.createIntent()
            for path in ["/v1/payment_intents", "/v1/refunds", "/v1/disputes"] {
                let reply = try await client.get(path, [(name, value)])
                #expect(reply.status == 400, "\(path) \(name)=\(value)")
                #expect(reply.errorField("type") == "invalid_request_error")
                #expect(reply.errorField("param") == param)
                if let code { #expect(reply.errorField("code") == code, "\(path) \(name)=\(value)") }
            }
        }
    }

    @Test func listsGoThroughTheV1Pipeline() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            for path in ["/v1/payment_intents", "/v1/refunds", "/v1/disputes"] {
                #expect(try await StripeTestClient(sandbox, apiKey: nil).get(path).status == 401)
            }
            try await sandbox.setFaults(FaultPlan(errorBefore: 1))
            #expect(try await client.get("/v1/payment_intents").status == 500)
            #expect(try await client.get("/v1/disputes").status == 500)
        }
    }

    @Test func refundsFilterByIntentAndCreatedAndPage() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.paidIntent(amount: 5000)
            let other = try await client.paidIntent()
            var refunds: [String] = []
            for amount in [100, 200, 300] {
                refunds.append(try #require(try await client.post("/v1/refunds", [("payment_intent", id), ("amount", "\(amount)")]).string("id")))
            }
            let moved = try #require(try await sandbox.advanceClock("PT2H").json["now"] as? Int)
            let late = try #require(try await client.post("/v1/refunds", [("payment_intent", id), ("amount", "400")]).string("id"))
            let otherRefund = try #require(try await client.post("/v1/refunds", [("payment_intent", other)]).string("id"))

            let all = try await client.get("/v1/refunds")
            #expect(Self.ids(all) == [otherRefund, late] + refunds.reversed())
            #expect(all.string("url") == "/v1/refunds")
            let mine = try await client.get("/v1/refunds", [("payment_intent", id), ("limit", "2")])
            #expect(Self.ids(mine) == [late, refunds[2]])
            #expect(mine.json["has_more"] as? Bool == true)
            let next = try await client.get("/v1/refunds", [("payment_intent", id), ("limit", "2"), ("starting_after", refunds[2])])
            #expect(Self.ids(next) == [refunds[1], refunds[0]])
            #expect(next.json["has_more"] as? Bool == false)
            let recent = try await client.get("/v1/refunds", [("payment_intent", id), ("created[gte]", "\(moved - 60)")])
            #expect(Self.ids(recent) == [late])
            let earlier = try await client.get("/v1/refunds", [("payment_intent", id), ("created[lt]", "\(moved - 60)")])
            #expect(Self.ids(earlier) == refunds.reversed())
            let chargeID = try #require(try await client.latestCharge(of: other).string("id"))
            #expect(Self.ids(try await client.get("/v1/refunds", [("charge", chargeID)])) == [otherRefund])
            #expect(try await client.get("/v1/refunds", [("payment_intent", "pi_nope")]).status == 404)
        }
    }

    @Test func disputesFilterAndPage() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let first = try await client.paidIntent(paymentMethod: "pm_card_createDispute")
            _ = await receiver.wait { $0.contains { $0.type == "charge.dispute.created" } }
            try await sandbox.advanceClock("P1D")
            let second = try await client.paidIntent(paymentMethod: "pm_card_createDisputeInquiry")
            let deliveries = await receiver.wait { $0.filter { $0.type == "charge.dispute.created" }.count >= 2 }
            let created = deliveries.filter { $0.type == "charge.dispute.created" }.map(\.object)
            let firstDispute = try #require(created.first { $0.string("payment_intent") == first })
            let secondDispute = try #require(created.first { $0.string("payment_intent") == second })
            let firstID = try #require(firstDispute.string("id")), secondID = try #require(secondDispute.string("id"))

            let all = try await client.get("/v1/disputes")
            #expect(all.status == 200)
            #expect(all.string("url") == "/v1/disputes")
            #expect(Self.ids(all) == [secondID, firstID])
            #expect((all.json["data"] as? [[String: Any]])?.first?.string("object") == "dispute")
            #expect(Self.ids(try await client.get("/v1/disputes", [("payment_intent", first)])) == [firstID])
            #expect(Self.ids(try await client.get("/v1/disputes", [("charge", try #require(secondDispute.string("charge")))])) == [secondID])
            #expect(Self.ids(try await client.get("/v1/disputes", [("payment_intent", "pi_other")])) == [])
            let page = try await client.get("/v1/disputes", [("limit", "1")])
            #expect(Self.ids(page) == [secondID])
            #expect(page.json["has_more"] as? Bool == true)
            #expect(Self.ids(try await client.get("/v1/disputes", [("starting_after", secondID)])) == [firstID])
            let secondCreated = try #require(secondDispute.int("created"))
            #expect(Self.ids(try await client.get("/v1/disputes", [("created[lt]", "\(secondCreated - 3_600)")])) == [firstID])
            #expect(Self.ids(try await client.get("/v1/disputes", [("created[gte]", "\(secondCreated)")])) == [secondID])
        }
    }

    private static func ids(_ reply: Reply) -> [String] {
        (reply.json["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }
}
