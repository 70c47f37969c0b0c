import Foundation
import HTTPTypes
import Payments
import Testing
import TestSupport
@testable import APIActor

/// Capture, void and refunds through the real router and a real database, each payment put in the state a
/// case needs with SQL (no worker runs).
@Suite("Lifecycle routes: capture, void, refunds", .serialized)
struct LifecycleRoutesTests {
    @Test("capture: AUTHORIZED is a 202 queued (again while queued too); CAPTURED with that amount is a 200")
    func captureQueuedAndDone() async throws {
        try await RouteBed.run { bed in
            let paymentId = try await bed.authorize()
            try await bed.settle(paymentId, as: .authorized)
            let queued = try await bed.post("/payments/\(paymentId)/capture", json: #"{"amount":600}"#)
            #expect(queued.status == 202)
            #expect(queued.string("status") == "AUTHORIZED")
            #expect(try await bed.post("/payments/\(paymentId)/capture", json: #"{"amount":600}"#).status == 202)
            try await bed.post("/payments/\(paymentId)/capture", json: nil).expectProblem(409)
            try await bed.post("/payments/\(paymentId)/void", json: nil).expectProblem(409)
            #expect(try await bed.db.scalar("SELECT count(*) FROM operations WHERE kind = 'capture'") == "1")

            let captured = try await bed.authorize()
            try await bed.settle(captured, as: .captured, captured: 1000)
            let done = try await bed.post("/payments/\(captured)/capture", json: nil)
            #expect(done.status == 200)
            #expect(done.string("status") == "CAPTURED")
            try await bed.post("/payments/\(captured)/capture", json: #"{"amount":10}"#).expectProblem(409)
            try RouteBed.expectDocumented("POST", "/payments/{paymentId}/capture", [queued, done])
        }
    }

    @Test("capture: REQUESTED, VOIDED, FAILED or more than authorized is a 409; a bad body a 400; an unknown id a 404")
    func captureRefusals() async throws {
        try await RouteBed.run { bed in
            let requested = try await bed.authorize()
            let conflict = try await bed.post("/payments/\(requested)/capture", json: nil)
            conflict.expectProblem(409)
            for status in [PaymentStatus.voided, .failed] {
                let paymentId = try await bed.authorize()
                try await bed.settle(paymentId, as: status)
                try await bed.post("/payments/\(paymentId)/capture", json: nil).expectProblem(409)
            }
            let authorized = try await bed.authorize()
            try await bed.settle(authorized, as: .authorized)
            try await bed.post("/payments/\(authorized)/capture", json: #"{"amount":1001}"#).expectProblem(409)
            let invalid = try await bed.post("/payments/\(authorized)/capture", json: #"{"amount":0}"#)
            invalid.expectProblem(400, naming: "/amount")
            try await bed.post("/payments/\(authorized)/capture", json: #"{"amount":"5"}"#).expectProblem(400, naming: "/amount")
            try await bed.post("/payments/\(authorized)/capture", json: #"{"all":true}"#).expectProblem(400, naming: "/all")
            let missing = try await bed.expectUnknownIsNotFound(.post, "/payments/{paymentId}/capture")
            #expect(try await bed.db.scalar("SELECT count(*) FROM operations WHERE kind = 'capture'") == "0")
            try RouteBed.expectDocumented("POST", "/payments/{paymentId}/capture", [conflict, invalid, missing])
        }
    }

    @Test("void: unsent REQUESTED is VOIDED at once (200, again 200); in flight or AUTHORIZED a 202; CAPTURED or FAILED a 409")
    func void() async throws {
        try await RouteBed.run { bed in
            let unsent = try await bed.authorize()
            let voided = try await bed.post("/payments/\(unsent)/void", json: nil)
            #expect(voided.status == 200)
            #expect(voided.string("status") == "VOIDED")
            #expect(try await bed.post("/payments/\(unsent)/void", json: nil).status == 200)

            let inFlight = try await bed.authorize()
            try await bed.markDispatched(inFlight)
            let queued = try await bed.post("/payments/\(inFlight)/void", json: nil)
            #expect(queued.status == 202)
            #expect(queued.string("status") == "REQUESTED")
            let authorized = try await bed.authorize()
            try await bed.settle(authorized, as: .authorized)
            #expect(try await bed.post("/payments/\(authorized)/void", json: nil).status == 202)

            let automatic = try await bed.authorize(extra: #","capture":"automatic""#)
            try await bed.markDispatched(automatic)
            try await bed.post("/payments/\(automatic)/void", json: nil).expectProblem(409)
            for status in [PaymentStatus.captured, .failed] {
                let paymentId = try await bed.authorize()
                try await bed.settle(paymentId, as: status, captured: status == .captured ? 1000 : 0)
                try await bed.post("/payments/\(paymentId)/void", json: nil).expectProblem(409)
            }
            try await bed.post("/payments/\(authorized)/void", json: #"{"now":true}"#).expectProblem(400, naming: "/now")
            _ = try await bed.expectUnknownIsNotFound(.post, "/payments/{paymentId}/void")
            try RouteBed.expectDocumented("POST", "/payments/{paymentId}/void", [voided, queued])
        }
    }

    @Test("refund: CAPTURED is a 201 with Location; the key replays as a 200; another body under it, or too much, is a 409")
    func refund() async throws {
        try await RouteBed.run { bed in
            let paymentId = try await bed.authorize()
            try await bed.settle(paymentId, as: .captured, captured: 1000)
            let key: HTTPFields = [.init("Idempotency-Key")!: "refund-1"]
            let path = "/payments/\(paymentId)/refunds"
            let created = try await bed.post(path, json: #"{"amount":300,"reason":"requested_by_customer"}"#, headers: key)
            #expect(created.status == 201)
            let refundId = try #require(created.string("refundId"))
            #expect(created.headers[.location] == "/refunds/\(refundId)")
            #expect(created.string("status") == "REQUESTED")
            #expect(created.string("paymentId") == paymentId)
            let replay = try await bed.post(path, json: #"{"amount":300,"reason":"requested_by_customer"}"#, headers: key)
            #expect(replay.status == 200)
            #expect(replay.string("refundId") == refundId)
            try await bed.post(path, json: #"{"amount":301}"#, headers: key).expectProblem(409)
            try await bed.post(path, json: #"{"amount":701}"#).expectProblem(409)
            let rest = try await bed.post(path, json: nil)
            #expect(rest.status == 201)
            #expect(rest.object["amount"] as? Int == 700)
            try RouteBed.expectDocumented("POST", "/payments/{paymentId}/refunds", [created, replay, rest])
        }
    }

    @Test("refund: not CAPTURED is a 409; a bad amount, reason or field a 400; an unknown payment a 404; no token a 401")
    func refundRefusals() async throws {
        try await RouteBed.run { bed in
            let authorized = try await bed.authorize()
            try await bed.settle(authorized, as: .authorized)
            let conflict = try await bed.post("/payments/\(authorized)/refunds", json: nil)
            conflict.expectProblem(409)
            let captured = try await bed.authorize()
            try await bed.settle(captured, as: .captured, captured: 1000)
            let path = "/payments/\(captured)/refunds"
            let invalid = try await bed.post(path, json: #"{"amount":0}"#)
            invalid.expectProblem(400, naming: "/amount")
            try await bed.post(path, json: #"{"reason":"bored"}"#).expectProblem(400, naming: "/reason")
            try await bed.post(path, json: #"{"note":"x"}"#).expectProblem(400, naming: "/note")
            let missing = try await bed.expectUnknownIsNotFound(.post, "/payments/{paymentId}/refunds")
            #expect(try await bed.db.scalar("SELECT count(*) FROM refunds") == "0")
            try RouteBed.expectDocumented("POST", "/payments/{paymentId}/refunds", [conflict, invalid, missing])
        }
    }

    @Test("GET /refunds/{refundId} and GET /payments/{paymentId}/refunds: 200 with the refunds, 404 when unknown")
    func readRefunds() async throws {
        try await RouteBed.run { bed in
            let paymentId = try await bed.authorize()
            try await bed.settle(paymentId, as: .captured, captured: 1000)
            let none = try await bed.get("/payments/\(paymentId)/refunds")
            #expect(none.status == 200)
            #expect((none.object["refunds"] as? [Any])?.isEmpty == true)
            let first = try #require(try await bed.post("/payments/\(paymentId)/refunds", json: #"{"amount":100}"#).string("refundId"))
            let second = try #require(try await bed.post("/payments/\(paymentId)/refunds", json: #"{"amount":200}"#).string("refundId"))
            let one = try await bed.get("/refunds/\(first)")
            #expect(one.status == 200)
            #expect(one.string("refundId") == first)
            #expect(one.object["amount"] as? Int == 100)
            let list = try await bed.get("/payments/\(paymentId)/refunds")
            #expect(list.status == 200)
            #expect((list.object["refunds"] as? [[String: Any]] ?? []).compactMap { $0["refundId"] as? String } == [second, first])
            let missing = try await bed.expectUnknownIsNotFound(.get, "/refunds/{refundId}")
            let missingPayment = try await bed.expectUnknownIsNotFound(.get, "/payments/{paymentId}/refunds")
            try RouteBed.expectDocumented("GET", "/refunds/{refundId}", [one, missing])
            try RouteBed.expectDocumented("GET", "/payments/{paymentId}/refunds", [list, none, missingPayment])
        }
    }
}
