import Foundation
import StripeGateway
import Testing
import TestSupport

@testable import StripeSandbox

@Suite("The sandbox clock and authorization expiry")
struct ClockTests {
    private static let day = 86_400

    @Test(arguments: [
        ("P8D", 8 * 86_400), ("PT12H", 43_200), ("PT90M", 5_400), ("PT45S", 45), ("P4DT18H", 410_400),
        ("P1DT2H3M4S", 93_784), ("PT1H30M", 5_400), ("P0D", 0),
    ])
    func durationsParse(text: String, seconds: Int) {
        #expect(ISODuration.seconds(text) == seconds)
    }

    @Test(arguments: ["", "P", "PT", "P1DT", "8D", "P1W", "P1M", "P1Y", "P1.5D", "P-1D", "PT1M1H", "P1D1D", "p1d", "PT1H ", "P1234567890D"])
    func otherDurationsAreRefused(text: String) {
        #expect(ISODuration.seconds(text) == nil)
    }

    @Test func theClockMovesAndResetClearsIt() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox, apiKey: nil)
            let before = try await client.get("/_sandbox/clock")
            #expect(before.status == 200)
            #expect(before.int("offset") == 0)
            let real = Int(Date().timeIntervalSince1970)
            #expect(abs((before.int("now") ?? 0) - real) <= 2)

            let moved = try await sandbox.advanceClock("P1DT2H")
            #expect(moved.status == 200)
            #expect(moved.json["offset"] as? Int == 93_600)
            #expect(try await sandbox.advanceClock("PT30M").json["offset"] as? Int == 95_400)
            let now = try #require(try await client.get("/_sandbox/clock").int("now"))
            #expect(abs(now - real - 95_400) <= 2)
            let ledger = try await sandbox.ledger()
            #expect(ledger["offset"] as? Int == 95_400)

            // Objects are created in sandbox time.
            let id = try await StripeTestClient(sandbox).createIntent()
            let created = try #require(try await StripeTestClient(sandbox).get("/v1/payment_intents/\(id)").int("created"))
            #expect(abs(created - now) <= 2)

            try await sandbox.reset()
            #expect(try await client.get("/_sandbox/clock").int("offset") == 0)
        }
    }

    @Test(arguments: ["P1W", "tomorrow", "PT", "P1.5D"])
    func aBadDurationIsA400(text: String) async throws {
        try await withStripeSandbox { sandbox in
            let reply = try await sandbox.advanceClock(text)
            #expect(reply.status == 400)
            let error = try #require(reply.json["error"] as? [String: Any])
            #expect(error.string("type") == "invalid_request_error")
            #expect(error.string("param") == "advance")
            let missing = try await StripeTestClient(sandbox, apiKey: nil).postJSON("/_sandbox/clock", "{}")
            #expect(missing.status == 400)
            #expect(try await sandbox.ledger()["offset"] as? Int == 0)
        }
    }

    @Test func captureBeforeIsSevenDaysOnSessionAndFourDaysEighteenHoursOff() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let offSession = try await client.heldIntent()
            let off = try await client.latestCharge(of: offSession)
            let offCard = try #require(off.object("payment_method_details")?.object("card"))
            #expect(off.object("payment_method_details")?.string("type") == "card")
            #expect(offCard.string("brand") == "visa")
            #expect(offCard.string("last4") == "4242")
            #expect(offCard.int("capture_before") == (off.int("created") ?? 0) + 410_400)

            let onSession = try await client.createIntent()
            #expect(try await client.confirmOnSession(onSession, paymentMethod: "pm_card_mastercard").string("status") == "requires_capture")
            let on = try await client.latestCharge(of: onSession)
            let onCard = try #require(on.object("payment_method_details")?.object("card"))
            #expect(onCard.string("brand") == "mastercard")
            #expect(onCard.int("capture_before") == (on.int("created") ?? 0) + 7 * Self.day)

            // Money taken at once has no deadline.
            let paid = try await client.latestCharge(of: try await client.paidIntent())
            #expect(paid.object("payment_method_details")?.object("card")?["capture_before"] == nil)
            let row = try #require(try await ledgerCharge(sandbox, off.string("id")))
            #expect(row["capture_before"] as? Int == offCard.int("capture_before"))
        }
    }

    @Test func aHoldPastItsDeadlineExpiresAsStripeDoes() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let id = try await client.heldIntent(amount: 1500)
            let chargeID = try #require(try await client.latestCharge(of: id).string("id"))
            #expect(try await sandbox.advanceClock("P4DT18H").status == 200)

            #expect(await receiver.order(of: ["charge.expired", "payment_intent.canceled"]) == ["charge.expired", "payment_intent.canceled"])
            let expired = try #require(await receiver.object("charge.expired", id: chargeID))
            #expect(expired["refunded"] as? Bool == true)
            #expect(expired.int("amount_refunded") == 1500)
            #expect(expired["captured"] as? Bool == false)
            #expect(await receiver.object("payment_intent.canceled", id: id)?.string("cancellation_reason") == "automatic")
            // The event is of sandbox time; its signature of real time, so a receiver's tolerance holds.
            let delivery = try #require(await receiver.deliveries.first { $0.type == "charge.expired" })
            let real = Int(Date().timeIntervalSince1970)
            #expect(abs((delivery.json["created"] as? Int ?? 0) - real - 410_400) <= 5)
            #expect(throws: Never.self) {
                try WebhookSignature.verify(
                    payload: delivery.body, header: delivery.signature, secrets: ["whsec_test_sandbox_secret"], now: real
                )
            }

            let intent = try await client.get("/v1/payment_intents/\(id)", [("expand[]", "latest_charge")])
            #expect(intent.string("status") == "canceled")
            #expect(intent.string("cancellation_reason") == "automatic")
            #expect(intent.int("canceled_at") != nil)
            #expect(intent.int("amount_capturable") == 0)
            let charge = try #require(intent.object("latest_charge"))
            #expect(charge["refunded"] as? Bool == true)
            #expect(charge.int("amount_refunded") == 1500)
            #expect(charge["captured"] as? Bool == false)

            let capture = try await client.post("/v1/payment_intents/\(id)/capture")
            #expect(capture.status == 400)
            #expect(capture.errorField("code") == "payment_intent_unexpected_state")
            #expect(capture.errorField("message")?.contains("status of canceled") == true)
            let row = try #require(try await sandbox.ledgerIntent(id))
            #expect(row["status"] as? String == "canceled")
            #expect(row["cancellation_reason"] as? String == "automatic")
            #expect(row["amount_capturable"] as? Int == 0)
        }
    }

    @Test func aHoldNotYetDueIsUntouched() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let offSession = try await client.heldIntent()
            let onSession = try await client.createIntent()
            _ = try await client.confirmOnSession(onSession, paymentMethod: "pm_card_visa")
            // Past the off-session deadline only.
            try await sandbox.advanceClock("P5D")
            #expect(await receiver.object("payment_intent.canceled", id: offSession) != nil)
            try await Task.sleep(for: .milliseconds(300))
            #expect(await receiver.types(about: onSession).contains("payment_intent.canceled") == false)
            let held = try await client.get("/v1/payment_intents/\(onSession)")
            #expect(held.string("status") == "requires_capture")
            #expect(held.int("amount_capturable") == 1000)
            #expect(try await client.latestCharge(of: onSession)["refunded"] as? Bool == false)
            #expect(try await client.post("/v1/payment_intents/\(onSession)/capture").string("status") == "succeeded")
            // Captured money never expires.
            try await sandbox.advanceClock("P30D")
            #expect(try await sandbox.ledgerIntent(onSession)?["status"] as? String == "succeeded")
        }
    }

    @Test func expiryClosesAnOpenReview() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let (id, _) = try await client.confirmed("pm_card_riskLevelElevated")
            let review = try #require(try await client.latestCharge(of: id).string("review"))
            try await sandbox.advanceClock("P8D")
            #expect(await receiver.object("review.closed", id: review)?.string("closed_reason") == "canceled")
        }
    }

    private func ledgerCharge(_ sandbox: SandboxHarness, _ id: String?) async throws -> [String: Any]? {
        let charges = try await sandbox.ledger()["charges"] as? [[String: Any]] ?? []
        return charges.first { $0["id"] as? String == id }
    }
}
