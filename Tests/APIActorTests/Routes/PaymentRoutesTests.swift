import Foundation
import HTTPTypes
import Hummingbird
import Testing
import TestSupport
@testable import APIActor

/// `POST /payments/authorize`, `GET /payments/{paymentId}`, `GET /payments?cartId=` through the real router and
/// a real database.
@Suite("Payment routes", .serialized)
struct PaymentRoutesTests {
    @Test("a new command is a 201 with Location; the same command replays as a 200; another for the live cart is a 409")
    func authorizeReplayConflict() async throws {
        try await RouteBed.run { bed in
            let cart = RouteBed.newId()
            let created = try await bed.post("/payments/authorize", json: RouteBed.command(cart: cart))
            #expect(created.status == 201)
            let paymentId = try #require(created.string("paymentId"))
            #expect(created.headers[.location] == "/payments/\(paymentId)")
            #expect(created.string("status") == "REQUESTED")
            #expect(created.string("cartId") == cart)
            let replay = try await bed.post("/payments/authorize", json: RouteBed.command(cart: cart))
            #expect(replay.status == 200)
            #expect(replay.string("paymentId") == paymentId)
            #expect(replay.headers[.location] == nil)
            let conflict = try await bed.post("/payments/authorize", json: RouteBed.command(cart: cart, amount: 5))
            conflict.expectProblem(409)
            #expect(try await bed.db.scalar("SELECT count(*) FROM payments") == "1")
            try RouteBed.expectDocumented("POST", "/payments/authorize", [created, replay, conflict])
        }
    }

    @Test("an Idempotency-Key replays its payment, and the same key with another body is a 409")
    func idempotencyKey() async throws {
        try await RouteBed.run { bed in
            let key: HTTPFields = [.init("Idempotency-Key")!: "order-7"]
            let body = RouteBed.command()
            let created = try await bed.post("/payments/authorize", json: body, headers: key)
            #expect(created.status == 201)
            let replay = try await bed.post("/payments/authorize", json: body, headers: key)
            #expect(replay.status == 200)
            #expect(replay.string("paymentId") == created.string("paymentId"))
            try await bed.post("/payments/authorize", json: RouteBed.command(), headers: key).expectProblem(409)
            try await bed.post("/payments/authorize", json: body, headers: [.init("Idempotency-Key")!: "no spaces"])
                .expectProblem(400, naming: "Idempotency-Key")
        }
    }

    @Test("an invalid command is a 400 naming every bad field, and writes nothing")
    func validation() async throws {
        try await RouteBed.run { bed in
            let bad = try await bed.post(
                "/payments/authorize", json: #"{"cartId":"nope","amount":0,"currency":"XXX","colour":"red","capture":"later"}"#)
            for field in ["/cartId", "/amount", "/currency", "/colour", "/capture"] { bad.expectProblem(400, naming: field) }
            try await bed.post("/payments/authorize", json: #"{"amount":100}"#).expectProblem(400, naming: "/cartId")
            try await bed.post("/payments/authorize", json: "[1]").expectProblem(400, naming: "")
            try await bed.post("/payments/authorize", json: #"{"cartId":"#).expectProblem(400)
            let duplicate = #"{"cartId":"\#(RouteBed.newId())","amount":1,"amount":2,"currency":"USD"}"#
            try await bed.post("/payments/authorize", json: duplicate).expectProblem(400, naming: "/amount")
            let metadata = RouteBed.command(extra: #","metadata":{"payment_id":"x"}"#)
            try await bed.post("/payments/authorize", json: metadata).expectProblem(400, naming: "/metadata/payment_id")
            #expect(try await bed.db.scalar("SELECT count(*) FROM payments") == "0")
            try RouteBed.expectDocumented("POST", "/payments/authorize", [bad])
        }
    }

    @Test("401 comes before every other check; 415 and 413 before the body is read as JSON")
    func checkOrder() async throws {
        try await RouteBed.run { bed in
            let unauthorized = try await bed.post("/payments/authorize", json: "{}", token: nil)
            unauthorized.expectProblem(401)
            #expect(unauthorized.headers[.wwwAuthenticate] == "Bearer")
            try await bed.post("/payments/authorize", json: "{}", token: "wrong").expectProblem(401)
            let text: HTTPFields = [.contentType: "text/plain"]
            try await bed.post("/payments/authorize", json: RouteBed.command(), headers: text).expectProblem(415)
            let large = RouteBed.command(extra: #","metadata":{"k":"\#(String(repeating: "x", count: 17 * 1024))"}"#)
            try await bed.post("/payments/authorize", json: large, headers: text).expectProblem(413)
            try RouteBed.expectDocumented("POST", "/payments/authorize", [unauthorized])
        }
    }

    @Test("Prefer: wait answers REQUESTED when the time runs out, and 402 with the payment once it FAILED")
    func preferWait() async throws {
        try await RouteBed.run { bed in
            let cart = RouteBed.newId()
            let wait: HTTPFields = [.init("Prefer")!: "wait=0.2"]
            let created = try await bed.post("/payments/authorize", json: RouteBed.command(cart: cart), headers: wait)
            #expect(created.status == 201)
            #expect(created.string("status") == "REQUESTED")
            try await bed.settle(try #require(created.string("paymentId")), as: .failed)
            let declined = try await bed.post("/payments/authorize", json: RouteBed.command(cart: cart), headers: wait)
            #expect(declined.status == 402)
            #expect(declined.string("status") == "FAILED")
            #expect(declined.string("failureReason") == "CARD_DECLINED")
            #expect(declined.headers[.location] == "/payments/\(created.string("paymentId") ?? "")")
            #expect(try await bed.post("/payments/authorize", json: RouteBed.command(cart: cart)).status == 200)
            try RouteBed.expectDocumented("POST", "/payments/authorize", [created, declined])
        }
    }

    @Test("an unreachable database is a 503 problem with Retry-After, and the intake answers it only after the 401 and 400 checks")
    func databaseUnreachable() async throws {
        try await RouteFixtures.withClient(RouteFixtures.routes().router) { client in
            var headers = RouteFixtures.bearer("Bearer \(RouteFixtures.token)")
            headers[.contentType] = "application/json"
            let authorize = RouteAnswer(try await client.executeRequest(
                uri: "/payments/authorize", method: .post, headers: headers, body: ByteBuffer(string: RouteBed.command(extra: #","paymentMethod":"pm_card_visa""#))))
            authorize.expectProblem(503)
            #expect(authorize.headers[.retryAfter] == "2")
            let read = RouteAnswer(try await client.executeRequest(uri: "/payments/\(RouteBed.newId())", method: .get, headers: headers, body: nil))
            read.expectProblem(503)
            let invalid = RouteAnswer(try await client.executeRequest(uri: "/payments/authorize", method: .post, headers: headers, body: ByteBuffer(string: "{}")))
            invalid.expectProblem(400, naming: "/cartId")
            let anonymous = RouteAnswer(try await client.executeRequest(uri: "/payments/authorize", method: .post, headers: [:], body: nil))
            anonymous.expectProblem(401)
            try RouteBed.expectDocumented("POST", "/payments/authorize", [authorize])
            try RouteBed.expectDocumented("GET", "/payments/{paymentId}", [read])
        }
    }

    @Test("GET /payments/{paymentId}: 200 with the payment, 404 for an unknown or malformed id, 401 without a token")
    func show() async throws {
        try await RouteBed.run { bed in
            let paymentId = try await bed.authorize()
            try await bed.settle(paymentId, as: .captured, captured: 1000)
            let found = try await bed.get("/payments/\(paymentId.uppercased())")
            #expect(found.status == 200)
            #expect(found.string("paymentId") == paymentId)
            #expect(found.string("status") == "CAPTURED")
            #expect(found.object["amountCaptured"] as? Int == 1000)
            let missing = try await bed.expectUnknownIsNotFound(.get, "/payments/{paymentId}")
            try RouteBed.expectDocumented("GET", "/payments/{paymentId}", [found, missing])
        }
    }

    @Test("GET /payments?cartId=: the cart's payments newest first; a bad cartId is a 400 naming it")
    func listByCart() async throws {
        try await RouteBed.run { bed in
            let cart = RouteBed.newId()
            let first = try await bed.authorize(cart: cart)
            #expect(try await bed.post("/payments/\(first)/void", json: nil).string("status") == "VOIDED")
            let second = try await bed.authorize(cart: cart, amount: 2000)
            let list = try await bed.get("/payments?cartId=\(cart)")
            #expect(list.status == 200)
            let payments = list.object["payments"] as? [[String: Any]] ?? []
            #expect(payments.compactMap { $0["paymentId"] as? String } == [second, first])
            let empty = try await bed.get("/payments?cartId=\(RouteBed.newId())")
            #expect(empty.status == 200)
            #expect((empty.object["payments"] as? [Any])?.isEmpty == true)
            // Without cartId an admin (the plain token) gets a page of every payment; `ScopeRoutesTests` has the 400.
            let everything = try await bed.get("/payments")
            #expect(everything.object["next"] is NSNull)
            try await bed.get("/payments?cartId=nope").expectProblem(400, naming: "cartId")
            try await bed.get("/payments?cartId=\(cart)", token: nil).expectProblem(401)
            try RouteBed.expectDocumented("GET", "/payments", [list, empty, everything])
        }
    }
}
