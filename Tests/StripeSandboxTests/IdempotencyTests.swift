import Foundation
import StripeSandbox
import Testing
import TestSupport

@Suite("Idempotency (stripe.md)")
struct IdempotencyTests {
    private let createParams = [("amount", "1000"), ("currency", "usd"), ("payment_method_types[]", "card")]

    @Test func sameKeyReplaysTheSavedAnswer() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let first = try await client.post("/v1/payment_intents", createParams, idempotencyKey: "create-1")
            let second = try await client.post("/v1/payment_intents", createParams, idempotencyKey: "create-1")
            #expect(first.headers["idempotent-replayed"] == nil)
            #expect(second.headers["idempotent-replayed"] == "true")
            #expect(second.status == first.status)
            #expect(second.text == first.text)
            #expect(try await sandbox.ledgerIntentCount() == 1)
        }
    }

    @Test func aSavedDeclineIsReplayed() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await client.createIntent()
            let declined = try await client.confirm(id, paymentMethod: "pm_card_chargeDeclined", idempotencyKey: "confirm-\(id)")
            let replayed = try await client.confirm(id, paymentMethod: "pm_card_chargeDeclined", idempotencyKey: "confirm-\(id)")
            #expect(declined.status == 402)
            #expect(replayed.status == 402)
            #expect(replayed.headers["idempotent-replayed"] == "true")
            #expect(replayed.text == declined.text)
            // The saved body is replayed to the letter: its request_log_url names the original request.
            #expect(replayed.headers["original-request"] == declined.requestID)
            #expect(replayed.errorField("request_log_url") == "https://dashboard.stripe.com/test/logs/\(declined.requestID ?? "")")
        }
    }

    @Test func sameKeyWithDifferentParametersIsAnIdempotencyError() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            _ = try await client.post("/v1/payment_intents", createParams, idempotencyKey: "k")
            let changed = try await client.post(
                "/v1/payment_intents", [("amount", "2000"), ("currency", "usd"), ("payment_method_types[]", "card")],
                idempotencyKey: "k"
            )
            #expect(changed.status == 400)
            #expect(changed.errorField("type") == "idempotency_error")
        }
    }

    @Test func sameKeyWhileTheFirstIsRunningIs409() async throws {
        try await withStripeSandbox { sandbox in
            try await sandbox.setFaults(FaultPlan(latencyMs: [600, 600]))
            let client = StripeTestClient(sandbox)
            async let first = client.post("/v1/payment_intents", createParams, idempotencyKey: "slow")
            try await Task.sleep(for: .milliseconds(200))
            let second = try await client.post("/v1/payment_intents", createParams, idempotencyKey: "slow")
            #expect(second.status == 409)
            #expect(second.errorField("code") == "idempotency_key_in_use")
            #expect(try await first.status == 200)
            // Nothing was saved for the 409: the key now replays the first answer.
            let third = try await client.post("/v1/payment_intents", createParams, idempotencyKey: "slow")
            #expect(third.headers["idempotent-replayed"] == "true")
            #expect(try await sandbox.ledgerIntentCount() == 1)
        }
    }

    @Test func requestsRejectedBeforeExecutingAreNotSaved() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let small = [("amount", "10"), ("currency", "usd"), ("payment_method_types[]", "card")]
            #expect(try await client.post("/v1/payment_intents", small, idempotencyKey: "v").status == 400)
            // A 400 from validation saved nothing: the same key with (fixed) parameters executes.
            let fixed = try await client.post("/v1/payment_intents", createParams, idempotencyKey: "v")
            #expect(fixed.status == 200)
            #expect(fixed.headers["idempotent-replayed"] == nil)

            let unauthenticated = StripeTestClient(sandbox, apiKey: nil)
            #expect(try await unauthenticated.post("/v1/payment_intents", createParams, idempotencyKey: "a").status == 401)
            #expect(try await client.post("/v1/payment_intents", createParams, idempotencyKey: "a").headers["idempotent-replayed"] == nil)
        }
    }

    @Test func keysAreScopedPerAPIKey() async throws {
        try await withStripeSandbox { sandbox in
            let one = StripeTestClient(sandbox, apiKey: "sk_test_account_one")
            let two = StripeTestClient(sandbox, apiKey: "sk_test_account_two")
            let first = try await one.post("/v1/payment_intents", createParams, idempotencyKey: "shared")
            let second = try await two.post("/v1/payment_intents", createParams, idempotencyKey: "shared")
            #expect(second.headers["idempotent-replayed"] == nil)
            #expect(first.string("id") != second.string("id"))
        }
    }
}
