import Foundation
import HTTPTypes
import Testing
import StripeGateway
import TestSupport
@testable import APIActor

/// `POST /webhooks/stripe` through the real router and a real database: open to every caller, but only a
/// correctly signed, well-formed event is received.
@Suite("Webhook route", .serialized)
struct WebhookRoutesTests {
    static func event(id: String = "evt_\(UUID().uuidString.prefix(8))", paymentId: String? = nil) -> String {
        let metadata = paymentId.map { #"{"payment_id":"\#($0)"}"# } ?? "{}"
        return #"{"id":"\#(id)","object":"event","type":"payment_intent.amount_capturable_updated","created":1,"data":{"object":{"id":"pi_route","object":"payment_intent","status":"requires_capture","metadata":\#(metadata)}}}"#
    }

    static func signed(_ body: String, secret: String = RouteBed.webhookSecret, age: Int = 0) -> HTTPFields {
        let header = WebhookSignature.header(payload: Array(body.utf8), secrets: [secret], timestamp: Int(Date().timeIntervalSince1970) - age)
        return [.init("Stripe-Signature")!: header]
    }

    @Test("a signed event is a 200 naming it, needs no token, and a duplicate delivery is a 200 recorded once")
    func receivesSignedEvents() async throws {
        try await RouteBed.run { bed in
            let paymentId = try await bed.authorize()
            let body = Self.event(id: "evt_route_1", paymentId: paymentId)
            let received = try await bed.post("/webhooks/stripe", json: body, token: nil, headers: Self.signed(body))
            #expect(received.status == 200, "\(received.text)")
            #expect(received.string("received") == "evt_route_1")
            let again = try await bed.post("/webhooks/stripe", json: body, token: "anything", headers: Self.signed(body))
            #expect(again.status == 200)
            #expect(try await bed.db.scalar("SELECT count(*) FROM webhook_events WHERE id = 'evt_route_1'") == "1")
            let unrelated = Self.event()
            #expect(try await bed.post("/webhooks/stripe", json: unrelated, token: nil, headers: Self.signed(unrelated)).status == 200)
            try RouteBed.expectDocumented("POST", "/webhooks/stripe", [received, again])
        }
    }

    @Test("a missing, wrong or stale signature is a 400 naming Stripe-Signature, and records nothing")
    func refusesBadSignatures() async throws {
        try await RouteBed.run { bed in
            let body = Self.event()
            let unsigned = try await bed.post("/webhooks/stripe", json: body, token: nil)
            unsigned.expectProblem(400, naming: "Stripe-Signature")
            try await bed.post("/webhooks/stripe", json: body, token: nil, headers: Self.signed(body, secret: "whsec_other"))
                .expectProblem(400, naming: "Stripe-Signature")
            try await bed.post("/webhooks/stripe", json: body, token: nil, headers: Self.signed(body, age: 3600))
                .expectProblem(400, naming: "Stripe-Signature")
            try await bed.post("/webhooks/stripe", json: body + " ", token: nil, headers: Self.signed(body))
                .expectProblem(400, naming: "Stripe-Signature")
            try await bed.post("/webhooks/stripe", json: body, token: RouteBed.token, headers: [.init("Stripe-Signature")!: "t=1,v1=00"])
                .expectProblem(400, naming: "Stripe-Signature")
            #expect(try await bed.db.scalar("SELECT count(*) FROM webhook_events") == "0")
            try RouteBed.expectDocumented("POST", "/webhooks/stripe", [unsigned])
        }
    }

    @Test("a signed body that is not an Event is a 400; one over 512 KiB a 413")
    func refusesMalformedEvents() async throws {
        try await RouteBed.run { bed in
            for body in ["{}", "[]", "not json", #"{"id":"evt_1","type":"x"}"#, #"{"id":"nope","type":"x","data":{"object":{}}}"#] {
                try await bed.post("/webhooks/stripe", json: body, token: nil, headers: Self.signed(body)).expectProblem(400)
            }
            let large = String(repeating: " ", count: 513 * 1024) + Self.event()
            try await bed.post("/webhooks/stripe", json: large, token: nil, headers: Self.signed(large)).expectProblem(413)
            #expect(try await bed.db.scalar("SELECT count(*) FROM webhook_events") == "0")
        }
    }
}
