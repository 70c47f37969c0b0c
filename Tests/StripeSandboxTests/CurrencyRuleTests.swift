import Foundation
import Testing
import TestSupport

/// Stripe's amount rules (docs.stripe.com/currencies), as `Model/Currency.swift` tables them.
@Suite("Currency rules")
struct CurrencyRuleTests {
    private func create(_ client: StripeTestClient, _ amount: Int, _ currency: String) async throws -> Reply {
        try await client.post(
            "/v1/payment_intents", [("amount", "\(amount)"), ("currency", currency), ("payment_method_types[]", "card")]
        )
    }

    @Test(arguments: [
        ("usd", 50), ("aed", 200), ("czk", 1500), ("huf", 17500), ("krw", 50), ("mxn", 1000), ("zar", 50), ("thb", 1000),
    ])
    func minimumChargeAmounts(currency: String, minimum: Int) async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let below = try await create(client, minimum - 1, currency)
            #expect(below.status == 400)
            #expect(below.errorField("code") == "amount_too_small")
            #expect(try await create(client, minimum, currency).status == 200)
        }
    }

    @Test func zeroDecimalAmountsAreInMajorUnits() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            #expect(try await create(client, 51, "jpy").status == 200)
            let below = try await create(client, 49, "jpy")
            #expect(below.errorField("message") == "Amount must be at least 50 jpy")
            #expect(try await create(client, 5001, "krw").status == 200)
        }
    }

    /// Three-decimal amounts end in 0; ISK and UGX are written with two decimals that are always 00.
    @Test(arguments: [
        ("bhd", 5124, 5120), ("jod", 5125, 5130), ("kwd", 5121, 5120), ("omr", 1009, 1010), ("tnd", 5128, 5120),
        ("isk", 550, 500), ("ugx", 501, 500),
    ])
    func amountsMustBeAMultipleOfTheCurrencysStep(currency: String, odd: Int, rounded: Int) async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let refused = try await create(client, odd, currency)
            #expect(refused.status == 400)
            #expect(refused.errorField("type") == "invalid_request_error")
            #expect(refused.errorField("param") == "amount")
            #expect(refused.errorField("code") == "invalid_charge_amount")
            let accepted = try await create(client, rounded, currency)
            #expect(accepted.status == 200)
            #expect(accepted.string("currency") == currency)
            #expect(try await sandbox.ledgerIntentCount() == 1)
        }
    }

    @Test func captureAndRefundAmountsFollowTheRulesToo() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let held = try await client.createIntent(amount: 5120, currency: "kwd")
            _ = try await client.confirm(held)
            let oddCapture = try await client.post("/v1/payment_intents/\(held)/capture", [("amount_to_capture", "5005")])
            #expect(oddCapture.status == 400)
            #expect(oddCapture.errorField("param") == "amount_to_capture")
            #expect(try await client.post("/v1/payment_intents/\(held)/capture", [("amount_to_capture", "5000")]).status == 200)

            let oddRefund = try await client.post("/v1/refunds", [("payment_intent", held), ("amount", "15")])
            #expect(oddRefund.status == 400)
            #expect(oddRefund.errorField("param") == "amount")
            #expect(try await client.post("/v1/refunds", [("payment_intent", held), ("amount", "10")]).status == 200)
            #expect(try await sandbox.ledgerIntent(held)?["amount_refunded"] as? Int == 10)
        }
    }

    @Test func amountsAreShownInTheirUnits() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let kwd = try await create(client, 40, "kwd")
            #expect(kwd.errorField("message") == "Amount must be at least 0.050 kwd")
            let isk = try await create(client, 0, "isk")
            #expect(isk.errorField("message") == "Amount must be at least 0.50 isk")
        }
    }
}
