import Foundation
import Testing
import TestSupport

/// The real binary against a real PostgreSQL and the sandbox over HTTP.
@Suite("Authorize, end to end")
struct AuthorizeFlowTests {
    @Test("a good card ends AUTHORIZED with one confirmed intent at the processor")
    func authorizes() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            let cart = UUID().uuidString.lowercased()
            let answer = try await api.post("/payments/authorize", json: authorizeBody(cartId: cart), headers: [("Prefer", "wait=10")])
            #expect(answer.status == 201, "\(answer.text)")
            #expect(answer.string("status") == "AUTHORIZED")
            let id = try #require(answer.string("paymentId"))
            #expect(answer.headers["location"] == "/payments/\(id)")
            let reference = try #require(answer.string("processorReference"))
            #expect(reference.hasPrefix("pi_"))

            let intents = try await stack.ledgerIntents()[id] ?? []
            #expect(intents.count == 1)
            #expect(intents.first?["status"] as? String == "requires_capture")
            #expect(intents.first?["id"] as? String == reference)
            #expect(intents.first?["confirmations"] as? Int == 1)
            #expect(intents.first?["amount_capturable"] as? Int == 4999)

            let shown = try await api.get("/payments/\(id)")
            #expect(shown.status == 200)
            #expect(shown.string("status") == "AUTHORIZED")
            let listed = try await api.get("/payments?cartId=\(cart)")
            #expect((listed.json["payments"] as? [[String: Any]])?.compactMap { $0["paymentId"] as? String } == [id])

            let events = try await stack.database.column("SELECT type FROM events WHERE payment_id = \(id) ORDER BY seq")
            #expect(events == ["payment-requested", "payment-succeeded"])
        }
    }

    static let declines: [(method: String, reason: String, code: String)] = [
        ("pm_card_visa_chargeDeclined", "CARD_DECLINED", "generic_decline"),
        ("pm_card_chargeDeclined", "CARD_DECLINED", "generic_decline"),
        ("pm_card_visa_chargeDeclinedInsufficientFunds", "INSUFFICIENT_FUNDS", "insufficient_funds"),
        ("pm_card_chargeDeclinedInsufficientFunds", "INSUFFICIENT_FUNDS", "insufficient_funds"),
        ("pm_card_visa_chargeDeclinedLostCard", "CARD_DECLINED", "lost_card"),
        ("pm_card_visa_chargeDeclinedStolenCard", "CARD_DECLINED", "stolen_card"),
        ("pm_card_chargeDeclinedExpiredCard", "EXPIRED_CARD", "expired_card"),
        ("pm_card_chargeDeclinedIncorrectCvc", "CARD_DECLINED", "incorrect_cvc"),
        ("pm_card_chargeDeclinedProcessingError", "PROCESSING_ERROR", "processing_error"),
        ("pm_card_chargeDeclinedFraudulent", "CARD_DECLINED", "fraudulent"),
        ("pm_card_authenticationRequired", "CARD_DECLINED", "authentication_required"),
        ("pm_card_doesNotExist", "PROCESSING_ERROR", "resource_missing"),
    ]

    @Test("each decline ends FAILED with its reason, and nothing holds money")
    func declines() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            var ids: [String] = []
            for decline in Self.declines {
                let answer = try await api.post(
                    "/payments/authorize", json: authorizeBody(paymentMethod: decline.method), headers: [("Prefer", "wait=10")])
                #expect(answer.status == 402, "\(decline.method): \(answer.text)")
                #expect(answer.string("status") == "FAILED", "\(decline.method)")
                #expect(answer.string("failureReason") == decline.reason, "\(decline.method)")
                #expect(answer.string("declineCode") == decline.code, "\(decline.method)")
                ids.append(answer.string("paymentId") ?? "")
            }
            let tooSmall = try await api.post("/payments/authorize", json: authorizeBody(amount: 10), headers: [("Prefer", "wait=10")])
            #expect(tooSmall.status == 402)
            #expect(tooSmall.string("failureReason") == "PROCESSING_ERROR")
            #expect(tooSmall.string("declineCode") == "amount_too_small")

            let intents = try await stack.ledgerIntents()
            for id in ids {
                for intent in intents[id] ?? [] {
                    #expect(!["requires_capture", "succeeded"].contains(intent["status"] as? String ?? ""), "\(id) holds money")
                }
            }
            let failed = try await stack.database.scalar("SELECT count(*) FROM events WHERE type = 'payment-failed'")
            #expect(failed == String(Self.declines.count + 1))
        }
    }

    @Test("automatic capture ends CAPTURED with the amount received")
    func automaticCapture() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            let answer = try await api.post(
                "/payments/authorize", json: authorizeBody(amount: 2500, capture: "automatic"), headers: [("Prefer", "wait=10")])
            #expect(answer.status == 201, "\(answer.text)")
            #expect(answer.string("status") == "CAPTURED")
            #expect(answer.int("amountCaptured") == 2500)
            let id = try #require(answer.string("paymentId"))
            let intent = try #require(try await stack.ledgerIntents()[id]?.first)
            #expect(intent["status"] as? String == "succeeded")
            #expect(intent["amount_received"] as? Int == 2500)
            let events = try await stack.database.column("SELECT type FROM events WHERE payment_id = \(id) ORDER BY seq")
            #expect(events == ["payment-requested", "payment-succeeded", "payment-captured"])
        }
    }

    @Test("replays answer 200 with the same payment; a different command for a live cart is a conflict; a failed cart takes a new card")
    func cartRules() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            let cart = UUID().uuidString.lowercased()
            let body = authorizeBody(cartId: cart)
            let first = try await api.post("/payments/authorize", json: body)
            #expect(first.status == 201)
            let again = try await api.post("/payments/authorize", json: body)
            #expect(again.status == 200)
            #expect(again.string("paymentId") == first.string("paymentId"))
            let other = try await api.post("/payments/authorize", json: authorizeBody(cartId: cart, amount: 5000))
            #expect(other.status == 409)
            #expect(other.headers["content-type"] == "application/problem+json")

            let declinedCart = UUID().uuidString.lowercased()
            let declinedBody = authorizeBody(cartId: declinedCart, paymentMethod: "pm_card_chargeDeclined")
            let declined = try await api.post("/payments/authorize", json: declinedBody, headers: [("Prefer", "wait=10")])
            #expect(declined.status == 402)
            let replayedDecline = try await api.post("/payments/authorize", json: declinedBody)
            #expect(replayedDecline.status == 200)
            #expect(replayedDecline.string("paymentId") == declined.string("paymentId"))
            let newCard = try await api.post(
                "/payments/authorize", json: authorizeBody(cartId: declinedCart, paymentMethod: "pm_card_mastercard"),
                headers: [("Prefer", "wait=10")])
            #expect(newCard.status == 201)
            #expect(newCard.string("status") == "AUTHORIZED")
            #expect(newCard.string("paymentId") != declined.string("paymentId"))
            let listed = try await api.get("/payments?cartId=\(declinedCart)")
            #expect((listed.json["payments"] as? [[String: Any]])?.compactMap { $0["status"] as? String } == ["AUTHORIZED", "FAILED"])
        }
    }

    @Test("an Idempotency-Key replays its payment, and conflicts with another body")
    func idempotencyKey() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            let key = [("Idempotency-Key", "order-42-attempt-1")]
            let body = authorizeBody()
            let first = try await api.post("/payments/authorize", json: body, headers: key)
            #expect(first.status == 201)
            let replay = try await api.post("/payments/authorize", json: body, headers: key)
            #expect(replay.status == 200)
            #expect(replay.string("paymentId") == first.string("paymentId"))
            let conflict = try await api.post("/payments/authorize", json: authorizeBody(), headers: key)
            #expect(conflict.status == 409)
        }
    }
}
