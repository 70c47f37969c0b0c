import Foundation
import StripeSandbox
import Testing
import TestSupport

/// Customer-present checkout through the real binary and gateway against the sandbox, webhooks delivered:
/// 3-D Secure completed, failed, abandoned and raced by a void; Radar's blocks and reviews; each ending as
/// the ledger says, with no hold left behind and every event valid against its schema.
@Suite("Customer-present checkout: 3-D Secure and Radar")
struct CustomerPresentTests {
    static let wait = [("Prefer", "wait=5")]

    static func body(_ paymentMethod: String, capture: String = "manual", present: Bool = true, amount: Int = 4999) -> String {
        authorizeBody(amount: amount, currency: "EUR", paymentMethod: paymentMethod, capture: capture,
                      extra: present ? #""customerPresent":true"# : "")
    }

    /// Authorizes and waits: a 3DS card answers REQUIRES_ACTION within the wait.
    static func requiringAction(_ api: APIClient, capture: String = "manual", card: String = "pm_card_threeDSecure2Required") async throws -> APIClient.Answer {
        let answer = try await api.post("/payments/authorize", json: body(card, capture: capture), headers: wait)
        #expect(answer.status == 201, "\(answer.text)")
        #expect(answer.string("status") == "REQUIRES_ACTION", "\(answer.text)")
        return answer
    }

    static func nextAction(_ answer: APIClient.Answer) -> [String: Any]? { answer.json["nextAction"] as? [String: Any] }

    static func agrees(_ stack: Stack, _ payment: APIClient.Answer) async throws {
        let ledger = try await stack.ledgerIntents()
        let intents = ledger[payment.string("paymentId") ?? ""] ?? []
        let problems = ledgerDisagreements(payment: payment, intents: intents)
        #expect(problems.isEmpty, "\(problems)")
        let holding = intents.filter { $0["status"] as? String == "requires_capture" }
        if payment.string("status") != "AUTHORIZED" { #expect(holding.isEmpty, "a hold left behind: \(intents)") }
    }

    /// The payment's events, checked against their schemas (the contract's and this project's extensions).
    static func events(_ api: APIClient, of paymentId: String) async throws -> [String] {
        let feed = try await api.get("/events?limit=1000")
        let check = try EventSchemaCheck.run(feed: feed.body)
        #expect(check.status == 0, "\(check.output)")
        #expect(!feed.text.contains("_secret_"), "a client secret in the events feed")
        let events = feed.json["events"] as? [[String: Any]] ?? []
        return events.filter { ($0["data"] as? [String: Any])?["paymentId"] as? String == paymentId }.compactMap { $0["type"] as? String }
    }

    @Test("3-D Secure completed: REQUIRES_ACTION with nextAction (the secret in the answer only), then AUTHORIZED")
    func completed() async throws {
        try await Stack.withService(webhooks: true) { stack, service in
            let api = stack.client(service)
            let waiting = try await Self.requiringAction(api)
            let id = try #require(waiting.string("paymentId"))
            let next = try #require(Self.nextAction(waiting), "\(waiting.text)")
            #expect(next["type"] as? String == "use_stripe_sdk")
            #expect((next["clientSecret"] as? String)?.contains("_secret_") == true)
            let intent = try #require(waiting.string("processorReference"))
            #expect(try await api.get("/metrics").text.contains("payments_requiring_action 1"))
            let done = try await stack.sandbox.authenticate(intent, "succeed")
            #expect(done.status == 200, "\(done.body)")
            let authorized = try await awaitStatus(api, id, "AUTHORIZED", timeout: .seconds(20))
            #expect(authorized.string("status") == "AUTHORIZED", "\(authorized.text)")
            #expect(authorized.json["nextAction"] is NSNull)
            #expect(authorized.string("riskOutcome") == "authorized", "\(authorized.text)")
            try await Self.agrees(stack, authorized)
            #expect(try await Self.events(api, of: id) == ["payment-requested", "payment-action-required", "payment-succeeded"])
            #expect(!service.log().contains("_secret_"), "a client secret in the service's log")
        }
    }

    @Test("a failed challenge: the intent is cancelled, FAILED CARD_DECLINED payment_intent_authentication_failure")
    func failedChallenge() async throws {
        try await Stack.withService(webhooks: true) { stack, service in
            let api = stack.client(service)
            let waiting = try await Self.requiringAction(api)
            let id = try #require(waiting.string("paymentId"))
            #expect(try await stack.sandbox.authenticate(waiting.string("processorReference") ?? "", "fail").status == 200)
            let failed = try await awaitStatus(api, id, "FAILED", timeout: .seconds(20))
            #expect(failed.string("failureReason") == "CARD_DECLINED", "\(failed.text)")
            #expect(failed.string("declineCode") == "payment_intent_authentication_failure", "\(failed.text)")
            let intents = try await stack.ledgerIntents()[id] ?? []
            #expect(intents.map { $0["status"] as? String } == ["canceled"], "\(intents)")
            try await Self.agrees(stack, failed)
        }
    }

    @Test("abandoned: still REQUIRES_ACTION after AUTHENTICATION_TIMEOUT, the intent is cancelled and the payment FAILED")
    func abandoned() async throws {
        try await Stack.withService(webhooks: true, extra: ["AUTHENTICATION_TIMEOUT": "2"]) { stack, service in
            let api = stack.client(service)
            let waiting = try await Self.requiringAction(api)
            let id = try #require(waiting.string("paymentId"))
            let failed = try await awaitStatus(api, id, "FAILED", timeout: .seconds(20))
            #expect(failed.string("declineCode") == "authentication_abandoned", "\(failed.text)")
            let late = try await stack.sandbox.authenticate(waiting.string("processorReference") ?? "", "succeed")
            #expect(late.status == 400, "a challenge after the cancel is refused: \(late.body)")
            try await Self.agrees(stack, try await api.get("/payments/\(id)"))
            #expect(try await Self.events(api, of: id) == ["payment-requested", "payment-action-required", "payment-failed"])
        }
    }

    @Test("a void during authentication, then a late challenge: VOIDED and no hold, in either capture mode")
    func voidThenLateChallenge() async throws {
        try await Stack.withService(webhooks: true) { stack, service in
            let api = stack.client(service)
            for capture in ["manual", "automatic"] {
                let waiting = try await Self.requiringAction(api, capture: capture)
                let id = try #require(waiting.string("paymentId"))
                let voided = try await api.post("/payments/\(id)/void", json: nil, headers: Self.wait)
                #expect([200, 202].contains(voided.status), "\(voided.text)")
                let final = try await awaitStatus(api, id, "VOIDED", timeout: .seconds(20))
                #expect(final.string("status") == "VOIDED", "\(capture): \(final.text)")
                _ = try await stack.sandbox.authenticate(waiting.string("processorReference") ?? "", "succeed")
                try await Task.sleep(for: .seconds(1))
                try await Self.agrees(stack, try await api.get("/payments/\(id)"))
            }
        }
    }

    @Test("the customer wins the race with a void: a manual hold is still released; an automatic charge stays CAPTURED, the void refused")
    func challengeWinsTheRace() async throws {
        // No webhooks: the service learns of the completed challenge only through the void's own calls.
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            let held = try await Self.requiringAction(api)
            #expect(try await stack.sandbox.authenticate(held.string("processorReference") ?? "", "succeed").status == 200)
            let heldId = try #require(held.string("paymentId"))
            _ = try await api.post("/payments/\(heldId)/void", json: nil, headers: Self.wait)
            let released = try await awaitStatus(api, heldId, "VOIDED", timeout: .seconds(20))
            #expect(released.string("status") == "VOIDED", "\(released.text)")
            try await Self.agrees(stack, released)

            let charged = try await Self.requiringAction(api, capture: "automatic")
            #expect(try await stack.sandbox.authenticate(charged.string("processorReference") ?? "", "succeed").status == 200)
            let chargedId = try #require(charged.string("paymentId"))
            _ = try await api.post("/payments/\(chargedId)/void", json: nil, headers: Self.wait)
            let captured = try await awaitStatus(api, chargedId, "CAPTURED", timeout: .seconds(20))
            #expect(captured.string("status") == "CAPTURED", "\(captured.text)")
            #expect((captured.json["lastError"] as? [String: Any])?["operation"] as? String == "void", "\(captured.text)")
            try await Self.agrees(stack, captured)
            #expect(try await Self.events(api, of: chargedId).contains("payment-succeeded"))
        }
    }

    @Test("Prefer: wait answers at REQUIRES_ACTION, not at the time-out; a 3DS card off session still declines")
    func waitAndOffSession() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            let started = ContinuousClock.now
            let waiting = try await api.post("/payments/authorize", json: Self.body("pm_card_threeDSecure2Required"), headers: [("Prefer", "wait=20")])
            #expect(waiting.string("status") == "REQUIRES_ACTION", "\(waiting.text)")
            #expect(ContinuousClock.now - started < .seconds(10))
            let off = try await api.post("/payments/authorize", json: Self.body("pm_card_authenticationRequired", present: false), headers: Self.wait)
            #expect(off.string("status") == "FAILED" && off.string("declineCode") == "authentication_required", "\(off.text)")
        }
    }

    @Test("customerPresent false and absent are the same command under one key; true is another (409)")
    func replays() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            let cart = UUID().uuidString.lowercased()
            let customer = UUID().uuidString.lowercased()
            func body(_ extra: String) -> String {
                #"{"cartId":"\#(cart)","customerId":"\#(customer)","amount":4999,"currency":"EUR"\#(extra)}"#
            }
            let key = [("Idempotency-Key", UUID().uuidString)]
            let first = try await api.post("/payments/authorize", json: body(""), headers: key)
            #expect(first.status == 201, "\(first.text)")
            let same = try await api.post("/payments/authorize", json: body(#","customerPresent":false"#), headers: key)
            #expect(same.status == 200 && same.string("paymentId") == first.string("paymentId"), "\(same.text)")
            let other = try await api.post("/payments/authorize", json: body(#","customerPresent":true"#), headers: key)
            #expect(other.status == 409, "\(other.text)")
            let bad = try await api.post("/payments/authorize", json: authorizeBody(extra: #""customerPresent":"yes""#))
            #expect(bad.status == 400 && bad.text.contains("/customerPresent"), "\(bad.text)")
        }
    }

    @Test("Radar: blocked cards FAIL with riskOutcome blocked; an elevated-risk hold opens a review that closes, each published once")
    func radar() async throws {
        try await Stack.withService(webhooks: true) { stack, service in
            let api = stack.client(service)
            for card in ["pm_card_chargeDeclinedFraudulent", "pm_card_riskLevelHighest"] {
                let blocked = try await api.post("/payments/authorize", json: Self.body(card, present: false), headers: Self.wait)
                #expect(blocked.string("status") == "FAILED" && blocked.string("failureReason") == "CARD_DECLINED", "\(card): \(blocked.text)")
                #expect(blocked.string("riskOutcome") == "blocked", "\(card): \(blocked.text)")
                #expect(blocked.string("declineCode") == "fraudulent", "\(card): \(blocked.text)")
            }
            let reviewed = try await api.post("/payments/authorize", json: Self.body("pm_card_riskLevelElevated", present: false), headers: Self.wait)
            let id = try #require(reviewed.string("paymentId"))
            #expect(reviewed.string("status") == "AUTHORIZED" && reviewed.string("riskOutcome") == "manual_review", "\(reviewed.text)")
            let review = try #require(reviewed.json["review"] as? [String: Any], "\(reviewed.text)")
            #expect(review["status"] as? String == "open" && review["reason"] as? String == "rule")
            let reviewId = try #require(try await Self.reviewId(stack, of: id))
            #expect(try await stack.sandbox.closeReview(reviewId, "approved").status == 200)
            let deadline = ContinuousClock.now + .seconds(20)
            var closed = try await api.get("/payments/\(id)")
            while (closed.json["review"] as? [String: Any])?["status"] as? String != "closed", ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                closed = try await api.get("/payments/\(id)")
            }
            #expect((closed.json["review"] as? [String: Any])?["reason"] as? String == "approved", "\(closed.text)")
            #expect(try await Self.events(api, of: id) == ["payment-requested", "payment-succeeded", "payment-review-opened", "payment-review-closed"])
            #expect(try await api.post("/payments/\(id)/capture", json: nil, headers: Self.wait).string("status") == "CAPTURED",
                    "a review does not block capture")
        }
    }

    /// The review Radar opened on the payment's charge, from the processor (the API shows no `prv_…`).
    static func reviewId(_ stack: Stack, of paymentId: String) async throws -> String? {
        let intents = try await stack.ledgerIntents()[paymentId] ?? []
        guard let intentId = intents.first?["id"] as? String else { return nil }
        let intent = try await stack.sandbox.stripeGet("/v1/payment_intents/\(intentId)?expand[]=latest_charge")
        return ((intent["latest_charge"] as? [String: Any])?["review"]) as? String
    }

    @Test("the other documented cards: optional 3DS and 3DS-not-supported succeed; declined after 3DS fails with the intent cancelled; charge-customer-fail fails")
    func otherCards() async throws {
        try await Stack.withService(webhooks: true) { stack, service in
            let api = stack.client(service)
            for card in ["pm_card_threeDSecureOptional", "pm_card_amex_threeDSecureNotSupported"] {
                let answer = try await api.post("/payments/authorize", json: Self.body(card), headers: Self.wait)
                #expect(answer.string("status") == "AUTHORIZED", "\(card): \(answer.text)")
            }
            let customerFail = try await api.post("/payments/authorize", json: Self.body("pm_card_chargeCustomerFail"), headers: Self.wait)
            #expect(customerFail.string("status") == "FAILED", "\(customerFail.text)")
            let waiting = try await Self.requiringAction(api, card: "pm_card_threeDSecureRequiredChargeDeclined")
            let id = try #require(waiting.string("paymentId"))
            #expect(try await stack.sandbox.authenticate(waiting.string("processorReference") ?? "", "succeed").status == 200)
            let declined = try await awaitStatus(api, id, "FAILED", timeout: .seconds(20))
            #expect(declined.string("failureReason") == "CARD_DECLINED", "\(declined.text)")
            #expect((try await stack.ledgerIntents()[id] ?? []).map { $0["status"] as? String } == ["canceled"])
            try await Self.agrees(stack, declined)
        }
    }

    @Test("a pending refund turns PROCESSED by itself; a disputed card still captures")
    func pendingRefundAndDispute() async throws {
        try await Stack.withService(webhooks: true) { stack, service in
            let api = stack.client(service)
            let paid = try await api.post("/payments/authorize", json: Self.body("pm_card_pendingRefund", capture: "automatic", present: false), headers: Self.wait)
            let id = try #require(paid.string("paymentId"))
            #expect(paid.string("status") == "CAPTURED", "\(paid.text)")
            let refund = try await api.post("/payments/\(id)/refunds", json: #"{"amount":1000}"#)
            let refundId = try #require(refund.string("refundId"), "\(refund.text)")
            let deadline = ContinuousClock.now + .seconds(30)
            var current = try await api.get("/refunds/\(refundId)")
            while current.string("status") != "PROCESSED", ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(300))
                current = try await api.get("/refunds/\(refundId)")
            }
            #expect(current.string("status") == "PROCESSED", "\(current.text)")
            let disputed = try await api.post("/payments/authorize", json: Self.body("pm_card_createDispute", capture: "automatic", present: false), headers: Self.wait)
            #expect(disputed.string("status") == "CAPTURED", "\(disputed.text)")
        }
    }

    @Test("currency rules answer as Stripe does: below the minimum, a three-decimal amount not ending in 0, ISK not in hundreds")
    func currencyRules() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            for (currency, amount) in [("JPY", 49), ("BHD", 1005), ("ISK", 150)] {
                let answer = try await api.post(
                    "/payments/authorize", json: authorizeBody(amount: amount, currency: currency, paymentMethod: "pm_card_visa"), headers: Self.wait)
                #expect(answer.string("status") == "FAILED" && answer.string("failureReason") == "PROCESSING_ERROR", "\(currency) \(amount): \(answer.text)")
            }
            let fine = try await api.post("/payments/authorize", json: authorizeBody(amount: 1000, currency: "BHD", paymentMethod: "pm_card_visa"), headers: Self.wait)
            #expect(fine.string("status") == "AUTHORIZED", "\(fine.text)")
        }
    }
}
