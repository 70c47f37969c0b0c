import Foundation
import Testing
import TestSupport

@Suite("3-D Secure cards and the authentication stand-in")
struct ThreeDSecureTests {
    static let authenticatingCards = [
        "pm_card_threeDSecure2Required", "pm_card_threeDSecureRequired", "pm_card_authenticationRequired",
        "pm_card_threeDSecureRequiredChargeDeclined",
    ]

    @Test(arguments: authenticatingCards)
    func onSessionConfirmAsksForAuthenticationAndHoldsNothing(paymentMethod: String) async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let id = try await client.createIntent(capture: "manual")
            let reply = try await client.confirmOnSession(id, paymentMethod: paymentMethod)
            #expect(reply.status == 200)
            #expect(reply.string("status") == "requires_action")
            let action = try #require(reply.object("next_action"))
            #expect(action.string("type") == "use_stripe_sdk")
            #expect(action.object("use_stripe_sdk") != nil)
            #expect(reply.json["latest_charge"] is NSNull)
            #expect(reply.string("client_secret")?.hasPrefix(id + "_secret_") == true)
            #expect(reply.string("payment_method") == paymentMethod)
            try await expectNoMoney(id, sandbox, status: "requires_action")
            let event = await receiver.object("payment_intent.requires_action", id: id)
            #expect(event?.string("status") == "requires_action")
        }
    }

    @Test(arguments: authenticatingCards)
    func offSessionDeclinesAsAuthenticationRequired(paymentMethod: String) async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let (id, reply) = try await client.confirmed(paymentMethod)
            #expect(reply.status == 402)
            #expect(reply.errorField("code") == "authentication_required")
            #expect(reply.errorField("decline_code") == "authentication_required")
            try await expectNoMoney(id, sandbox)
        }
    }

    @Test(arguments: ["pm_card_threeDSecureOptional", "pm_card_amex_threeDSecureNotSupported"])
    func cardsThatNeedNoAuthenticationSucceedOnAndOffSession(paymentMethod: String) async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let offSession = try await client.confirmed(paymentMethod, capture: "automatic").reply
            #expect(offSession.string("status") == "succeeded")
            let id = try await client.createIntent(capture: "automatic")
            let onSession = try await client.confirmOnSession(id, paymentMethod: paymentMethod)
            #expect(onSession.string("status") == "succeeded")
            #expect(onSession.json["next_action"] is NSNull)
            #expect(try await sandbox.ledgerIntent(id)?["amount_received"] as? Int == 1000)
        }
    }

    @Test func succeededAuthenticationPlacesTheHold() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let id = try await requiresAction(client, capture: "manual")
            let reply = try await client.authenticate(id, outcome: "succeed")
            #expect(reply.status == 200)
            #expect(reply.string("status") == "requires_capture")
            #expect(reply.int("amount_capturable") == 1000)
            #expect(reply.json["next_action"] is NSNull)
            #expect(try await client.latestCharge(of: id).string("status") == "succeeded")
            let row = try #require(try await sandbox.ledgerIntent(id))
            #expect(row["amount_capturable"] as? Int == 1000)
            #expect(row["confirmations"] as? Int == 1)
            let event = await receiver.object("payment_intent.amount_capturable_updated", id: id)
            #expect(event?.string("status") == "requires_capture")
            let captured = try await client.post("/v1/payment_intents/\(id)/capture")
            #expect(captured.string("status") == "succeeded")
        }
    }

    @Test func succeededAuthenticationTakesTheMoneyWithAutomaticCapture() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let id = try await requiresAction(client, capture: "automatic")
            let reply = try await client.authenticate(id, outcome: "succeed")
            #expect(reply.string("status") == "succeeded")
            #expect(reply.int("amount_received") == 1000)
            #expect(try await sandbox.ledgerIntent(id)?["amount_received"] as? Int == 1000)
            #expect(await receiver.object("payment_intent.succeeded", id: id)?.string("status") == "succeeded")
        }
    }

    @Test(arguments: ["manual", "automatic"])
    func failedAuthenticationAsksForANewPaymentMethod(capture: String) async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let id = try await requiresAction(client, capture: capture)
            let reply = try await client.authenticate(id, outcome: "fail")
            #expect(reply.status == 200)
            #expect(reply.string("status") == "requires_payment_method")
            #expect(reply.json["payment_method"] is NSNull)
            #expect(reply.json["latest_charge"] is NSNull)
            let error = try #require(reply.object("last_payment_error"))
            #expect(error.string("code") == "payment_intent_authentication_failure")
            #expect(error.string("type") == "invalid_request_error")
            #expect(error.string("message")?.hasPrefix("We are unable to authenticate your payment method.") == true)
            #expect(error.object("payment_method")?.string("id") == "pm_card_threeDSecure2Required")
            try await expectNoMoney(id, sandbox)
            let event = await receiver.object("payment_intent.payment_failed", id: id)
            #expect(event?.object("last_payment_error")?.string("code") == "payment_intent_authentication_failure")
            // A new card can still pay.
            #expect(try await client.confirm(id).status == 200)
        }
    }

    @Test func theChargeDeclinedCardIsDeclinedOnceAuthenticated() async throws {
        try await withWebhookSandbox { sandbox, receiver in
            let client = StripeTestClient(sandbox)
            let id = try await requiresAction(client, capture: "manual", paymentMethod: "pm_card_threeDSecureRequiredChargeDeclined")
            let reply = try await client.authenticate(id, outcome: "succeed")
            #expect(reply.status == 200)
            #expect(reply.string("status") == "requires_payment_method")
            let error = try #require(reply.object("last_payment_error"))
            #expect(error.string("type") == "card_error")
            #expect(error.string("code") == "card_declined")
            #expect(error.string("decline_code") == "generic_decline")
            let charge = try await client.latestCharge(of: id)
            #expect(charge.string("status") == "failed")
            #expect(charge.object("outcome")?.string("type") == "issuer_declined")
            try await expectNoMoney(id, sandbox)
            #expect(await receiver.object("payment_intent.payment_failed", id: id) != nil)
        }
    }

    @Test func authenticateOnlyFromRequiresAction() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let created = try await client.createIntent()
            let early = try await client.authenticate(created, outcome: "succeed")
            #expect(early.status == 400)
            #expect(early.errorField("code") == "payment_intent_unexpected_state")
            #expect(try await sandbox.ledgerIntent(created)?["status"] as? String == "requires_payment_method")

            let id = try await requiresAction(client, capture: "manual")
            #expect(try await client.authenticate(id, outcome: "succeed").status == 200)
            let again = try await client.authenticate(id, outcome: "fail")
            #expect(again.status == 400)
            #expect(again.errorField("code") == "payment_intent_unexpected_state")
            #expect(try await sandbox.ledgerIntent(id)?["status"] as? String == "requires_capture")
        }
    }

    @Test func aChallengeAfterTheCancelNeverMakesAHold() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let id = try await requiresAction(client, capture: "manual")
            let canceled = try await client.post("/v1/payment_intents/\(id)/cancel")
            #expect(canceled.string("status") == "canceled")
            #expect(canceled.json["next_action"] is NSNull)
            for outcome in ["succeed", "fail"] {
                let late = try await client.authenticate(id, outcome: outcome)
                #expect(late.status == 400)
                #expect(late.errorField("code") == "payment_intent_unexpected_state")
            }
            try await expectNoMoney(id, sandbox, status: "canceled")
        }
    }

    @Test func authenticateNeedsAKnownIntentAndOutcome() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let unknown = try await client.authenticate("pi_nope", outcome: "succeed")
            #expect(unknown.status == 404)
            #expect(unknown.errorField("code") == "resource_missing")
            let id = try await requiresAction(client, capture: "manual")
            let bad = try await client.authenticate(id, outcome: "maybe")
            #expect(bad.status == 400)
            #expect(bad.errorField("param") == "outcome")
            #expect(try await client.postJSON("/_sandbox/payment_intents/\(id)/authenticate", "{}").status == 400)
            #expect(try await sandbox.ledgerIntent(id)?["status"] as? String == "requires_action")
        }
    }

    /// An intent waiting for its 3-D Secure challenge.
    private func requiresAction(
        _ client: StripeTestClient, capture: String, paymentMethod: String = "pm_card_threeDSecure2Required"
    ) async throws -> String {
        let id = try await client.createIntent(capture: capture)
        let reply = try await client.confirmOnSession(id, paymentMethod: paymentMethod)
        guard reply.string("status") == "requires_action" else { throw ReplyError(reply: reply) }
        return id
    }
}

/// The ledger shows the intent holding and having taken nothing.
func expectNoMoney(_ id: String, _ sandbox: SandboxHarness, status: String = "requires_payment_method") async throws {
    let row = try #require(try await sandbox.ledgerIntent(id))
    #expect(row["status"] as? String == status)
    #expect(row["amount_capturable"] as? Int == 0)
    #expect(row["amount_received"] as? Int == 0)
    #expect(row["confirmations"] as? Int == 0)
}
