import Testing
import TestSupport

@Suite("Test PaymentMethods (stripe.md's table)")
struct PaymentMethodTests {
    @Test(arguments: [
        "pm_card_visa", "pm_card_mastercard", "pm_card_amex", "pm_card_refundFail", "pm_card_pendingRefund",
        "pm_card_createDispute", "pm_card_createDisputeInquiry", "pm_card_riskLevelElevated", "pm_card_threeDSecureOptional",
        "pm_card_amex_threeDSecureNotSupported",
    ])
    func succeeds(paymentMethod: String) async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.createIntent(capture: "manual")
            let reply = try await client.confirm(id, paymentMethod: paymentMethod)
            #expect(reply.status == 200)
            #expect(reply.string("status") == "requires_capture")
            #expect(reply.int("amount_capturable") == 1000)
            #expect(reply.string("latest_charge")?.hasPrefix("ch_") == true)
            #expect(reply.string("payment_method") == paymentMethod)
        }
    }

    @Test(arguments: [
        ("pm_card_visa_chargeDeclined", "card_declined", "generic_decline"),
        ("pm_card_chargeDeclined", "card_declined", "generic_decline"),
        ("pm_card_visa_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
        ("pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
        ("pm_card_visa_chargeDeclinedLostCard", "card_declined", "lost_card"),
        ("pm_card_visa_chargeDeclinedStolenCard", "card_declined", "stolen_card"),
        ("pm_card_chargeDeclinedExpiredCard", "expired_card", nil),
        ("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", nil),
        ("pm_card_chargeDeclinedProcessingError", "processing_error", nil),
        ("pm_card_chargeDeclinedFraudulent", "card_declined", "fraudulent"),
        ("pm_card_radarBlock", "card_declined", "fraudulent"),
        ("pm_card_riskLevelHighest", "card_declined", "fraudulent"),
        ("pm_card_chargeCustomerFail", "card_declined", "generic_decline"),
        ("pm_card_authenticationRequired", "authentication_required", "authentication_required"),
    ] as [(String, String, String?)])
    func declines(paymentMethod: String, code: String, declineCode: String?) async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.createIntent()
            let reply = try await client.confirm(id, paymentMethod: paymentMethod)
            #expect(reply.status == 402)
            #expect(reply.errorField("type") == "card_error")
            #expect(reply.errorField("code") == code)
            #expect(reply.errorField("decline_code") == declineCode)
            let intent = try #require(reply.error["payment_intent"] as? [String: Any])
            #expect(intent["id"] as? String == id)
            #expect(intent["status"] as? String == "requires_payment_method")
            let lastError = try #require(intent["last_payment_error"] as? [String: Any])
            #expect(lastError["code"] as? String == code)

            let readBack = try await client.get("/v1/payment_intents/\(id)")
            #expect(readBack.string("status") == "requires_payment_method")
            #expect((readBack.json["last_payment_error"] as? [String: Any])?["decline_code"] as? String == declineCode)
            #expect(try await sandbox.ledgerIntent(id)?["confirmations"] as? Int == 0)
        }
    }

    @Test func unknownPaymentMethodIsResourceMissing() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.createIntent()
            let reply = try await client.confirm(id, paymentMethod: "pm_card_nonexistent")
            #expect(reply.status == 400)
            #expect(reply.errorField("type") == "invalid_request_error")
            #expect(reply.errorField("code") == "resource_missing")
            #expect(reply.errorField("param") == "payment_method")
            #expect(try await client.get("/v1/payment_intents/\(id)").string("status") == "requires_payment_method")
        }
    }

    @Test func aNewPaymentMethodCanFollowADecline() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.createIntent(capture: "automatic")
            #expect(try await client.confirm(id, paymentMethod: "pm_card_chargeDeclined").status == 402)
            let retry = try await client.confirm(id, paymentMethod: "pm_card_visa")
            #expect(retry.string("status") == "succeeded")
            #expect(retry.int("amount_received") == 1000)
            #expect(retry.json["last_payment_error"] is NSNull)
        }
    }
}

import Foundation
