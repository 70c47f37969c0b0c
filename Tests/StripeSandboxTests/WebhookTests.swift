import Foundation
import StripeGateway
import StripeSandbox
import Testing
import TestSupport

@Suite("Webhooks")
struct WebhookTests {
    private static let secret = "whsec_test_sandbox_secret"

    @Test func eventsAreSignedStripeEvents() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let id = try await client.createIntent(capture: "manual")
            _ = try await client.confirm(id)
            _ = try await client.post("/v1/payment_intents/\(id)/capture")
            _ = try await client.post("/v1/refunds", [("payment_intent", id), ("amount", "100")])
            let declined = try await client.createIntent()
            _ = try await client.confirm(declined, paymentMethod: "pm_card_chargeDeclined")
            let held = try await client.createIntent()
            _ = try await client.confirm(held)
            _ = try await client.post("/v1/payment_intents/\(held)/cancel")

            let expected: Set<String> = [
                "payment_intent.amount_capturable_updated", "payment_intent.succeeded", "charge.refunded",
                "payment_intent.payment_failed", "payment_intent.canceled",
            ]
            let deliveries = await receiver.wait { Set($0.map(\.type)).isSuperset(of: expected) && $0.count >= 6 }
            #expect(Set(deliveries.map(\.type)) == expected)
            #expect(deliveries.count == 6)
            for delivery in deliveries {
                #expect(throws: Never.self) {
                    try WebhookSignature.verify(
                        payload: delivery.body, header: delivery.signature, secrets: [Self.secret],
                        now: Int(Date().timeIntervalSince1970)
                    )
                }
                let json = delivery.json
                #expect(delivery.eventID.hasPrefix("evt_"))
                #expect(json["object"] as? String == "event")
                #expect(json["api_version"] as? String == "2024-10-28.acacia")
                #expect(json["created"] is Int)
                #expect((json["data"] as? [String: Any])?["object"] is [String: Any])
            }
            let succeeded = try #require(deliveries.first { $0.type == "payment_intent.succeeded" })
            let object = (succeeded.json["data"] as? [String: Any])?["object"] as? [String: Any]
            #expect(object?["id"] as? String == id)
            #expect(object?["status"] as? String == "succeeded")
        }
    }

    @Test func aRotationSignsWithBothSecrets() async throws {
        try await withWebhookSandbox(secret: "whsec_old,whsec_new") { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            _ = try await client.paidIntent()
            let delivery = try #require(await receiver.wait { !$0.isEmpty }.first)
            #expect(delivery.signature?.components(separatedBy: "v1=").count == 3)
            for secret in ["whsec_old", "whsec_new"] {
                #expect(throws: Never.self) {
                    try WebhookSignature.verify(
                        payload: delivery.body, header: delivery.signature, secrets: [secret], now: Int(Date().timeIntervalSince1970)
                    )
                }
            }
        }
    }

    @Test func refusedDeliveriesAreRetriedWithBackoff() async throws {
        try await withWebhookSandbox(failing: 2) { sandbox, receiver in
            let start = ContinuousClock.now
            _ = try await StripeTestClient(sandbox).paidIntent()
            let deliveries = await receiver.wait { $0.count >= 3 }
            #expect(deliveries.count == 3)
            #expect(Set(deliveries.map(\.eventID)).count == 1)
            // Retries after 1 s, then 2 s more.
            #expect(ContinuousClock.now - start >= .seconds(3))
        }
    }

    @Test func dropFirstSkipsTheFirstDeliveryAndTheRetryBringsIt() async throws {
        try await withWebhookSandbox(faults: FaultPlan(webhookDropFirst: 1)) { sandbox, receiver in
            let start = ContinuousClock.now
            _ = try await StripeTestClient(sandbox).paidIntent()
            try await Task.sleep(for: .milliseconds(600))
            #expect(await receiver.deliveries.isEmpty)
            let deliveries = await receiver.wait { !$0.isEmpty }
            #expect(deliveries.count == 1)
            #expect(ContinuousClock.now - start >= .seconds(1))
        }
    }

    @Test func duplicatesCarryTheSameEventID() async throws {
        try await withWebhookSandbox(faults: FaultPlan(webhookDuplicate: 1)) { sandbox, receiver in
            _ = try await StripeTestClient(sandbox).paidIntent()
            let deliveries = await receiver.wait { $0.count >= 2 }
            #expect(deliveries.count == 2)
            #expect(deliveries[0].eventID == deliveries[1].eventID)
            #expect(deliveries[0].body == deliveries[1].body)
        }
    }

    @Test func delayAndReorderHoldEventsBack() async throws {
        try await withWebhookSandbox(faults: FaultPlan(webhookReorder: true, webhookDelayMs: [2000, 2000])) { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let start = ContinuousClock.now
            for _ in 0..<3 { _ = try await client.paidIntent() }
            // Held back 2 s from their creation: none may have arrived while less than that has passed
            // (on a loaded machine the calls themselves can take a while, so look only inside that window).
            let looked = ContinuousClock.now
            let early = await receiver.deliveries
            if looked - start < .milliseconds(1900) { #expect(early.isEmpty) }
            let deliveries = await receiver.wait { $0.count >= 3 }
            #expect(deliveries.count == 3)
            #expect(ContinuousClock.now - start >= .milliseconds(2000))
        }
    }

    @Test func theSandboxFailRouteSendsRefundUpdatedAndFailed() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let id = try await client.paidIntent()
            let refund = try #require(try await client.post("/v1/refunds", [("payment_intent", id)]).string("id"))
            #expect(try await StripeTestClient(sandbox, apiKey: nil).post("/_sandbox/refunds/\(refund)/fail").status == 200)
            let deliveries = await receiver.wait { Set($0.map(\.type)).isSuperset(of: ["refund.updated", "refund.failed"]) }
            try expectRefundFailed(refund, in: deliveries)
        }
    }

    @Test func duplicatedAndSkippedDeliveriesAreCounted() async throws {
        try await withWebhookSandbox(faults: FaultPlan(webhookDuplicate: 1, webhookDropFirst: 1)) { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            _ = try await client.paidIntent()
            // One event (payment_intent.succeeded): its duplicate at once, its first delivery skipped and retried.
            let deliveries = await receiver.wait { $0.count >= 2 }
            #expect(Set(deliveries.map(\.eventID)).count == 1)
            let injected = try await client.injected()
            #expect(injected["webhook_duplicate"] == 1)
            #expect(injected["webhook_drop_first"] == 1)
        }
    }

    @Test func refundFailSendsRefundUpdatedAndFailed() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let id = try await client.paidIntent(paymentMethod: "pm_card_refundFail")
            let refund = try await client.post("/v1/refunds", [("payment_intent", id)]).string("id")
            let deliveries = await receiver.wait { Set($0.map(\.type)).isSuperset(of: ["refund.updated", "refund.failed"]) }
            try expectRefundFailed(refund, in: deliveries)
        }
    }

    /// Both events a failed refund sends arrived, each carrying the refund as failed.
    private func expectRefundFailed(_ refund: String?, in deliveries: [WebhookReceiver.Delivery]) throws {
        for type in ["refund.updated", "refund.failed"] {
            let event = try #require(deliveries.first { $0.type == type })
            let object = (event.json["data"] as? [String: Any])?["object"] as? [String: Any]
            #expect(object?["id"] as? String == refund)
            #expect(object?["status"] as? String == "failed")
        }
    }
}
