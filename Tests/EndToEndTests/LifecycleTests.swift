import Foundation
import Testing
import TestSupport

/// Capture, void and refunds through the real binary, held against the sandbox's ledger.
@Suite("Capture, void and refunds, end to end")
struct LifecycleTests {
    static let wait = [("Prefer", "wait=10")]

    func authorized(_ api: APIClient, amount: Int = 5000, method: String? = nil) async throws -> String {
        let answer = try await api.post("/payments/authorize", json: authorizeBody(amount: amount, paymentMethod: method), headers: Self.wait)
        #expect(answer.string("status") == "AUTHORIZED", "\(answer.text)")
        return try #require(answer.string("paymentId"))
    }

    func captured(_ api: APIClient, amount: Int = 5000, method: String? = nil) async throws -> String {
        let id = try await authorized(api, amount: amount, method: method)
        let capture = try await api.post("/payments/\(id)/capture", json: nil, headers: Self.wait)
        #expect(capture.status == 200, "\(capture.text)")
        #expect(capture.string("status") == "CAPTURED")
        return id
    }

    @Test("a partial capture takes exactly that amount; the same capture again is 200, another amount 409")
    func partialCapture() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            let id = try await authorized(api)
            let queued = try await api.post("/payments/\(id)/capture", json: #"{"amount":3000}"#)
            #expect(queued.status == 202, "\(queued.text)")
            let settled = try await api.post("/payments/\(id)/capture", json: #"{"amount":3000}"#, headers: Self.wait)
            #expect(settled.status == 200)
            let payment = try await api.get("/payments/\(id)")
            #expect(payment.string("status") == "CAPTURED")
            #expect(payment.int("amountCaptured") == 3000)
            #expect(try await api.post("/payments/\(id)/capture", json: #"{"amount":3000}"#).status == 200)
            #expect(try await api.post("/payments/\(id)/capture", json: #"{"amount":4000}"#).status == 409)
            #expect(try await api.post("/payments/\(id)/void", json: nil).status == 409)
            let intent = try #require(try await stack.ledgerIntents()[id]?.first)
            #expect(intent["status"] as? String == "succeeded")
            #expect(intent["amount_received"] as? Int == 3000)
            #expect(intent["amount_capturable"] as? Int == 0)
            #expect(try await stack.database.column("SELECT type FROM events WHERE payment_id = \(id) ORDER BY seq")
                == ["payment-requested", "payment-succeeded", "payment-captured"])
            let tooMuch = try await authorized(api, amount: 1000)
            #expect(try await api.post("/payments/\(tooMuch)/capture", json: #"{"amount":1001}"#).status == 409)
            #expect(try await api.post("/payments/\(tooMuch)/capture", json: #"{"amount":0}"#).status == 400)
            #expect(try await api.post("/payments/\(UUID().uuidString)/capture", json: nil).status == 404)
        }
    }

    @Test("a void of an AUTHORIZED payment cancels the intent; VOIDED again is 200, capture after it 409")
    func voidAuthorized() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            let id = try await authorized(api)
            let voided = try await api.post("/payments/\(id)/void", json: nil, headers: Self.wait)
            #expect(voided.status == 200, "\(voided.text)")
            #expect(voided.string("status") == "VOIDED")
            #expect(try await api.post("/payments/\(id)/void", json: nil).status == 200)
            #expect(try await api.post("/payments/\(id)/capture", json: nil).status == 409)
            let intent = try #require(try await stack.ledgerIntents()[id]?.first)
            #expect(intent["status"] as? String == "canceled")
            #expect(try await stack.database.column("SELECT type FROM events WHERE payment_id = \(id) ORDER BY seq")
                == ["payment-requested", "payment-succeeded", "payment-voided"])
        }
    }

    @Test("twenty voids racing their own authorizations: twenty VOIDED, no hold left")
    func voidsRaceAuthorizations() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let created = try await api.post("/payments/authorize", json: authorizeBody())
                        let id = created.string("paymentId") ?? ""
                        let void = try await api.post("/payments/\(id)/void", json: nil)
                        #expect([200, 202].contains(void.status), "\(void.text)")
                        return id
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            for id in ids {
                let deadline = ContinuousClock.now + .seconds(30)
                var status = ""
                repeat {
                    status = try await api.get("/payments/\(id)").string("status") ?? ""
                    if status == "VOIDED" { break }
                    try await Task.sleep(for: .milliseconds(100))
                } while ContinuousClock.now < deadline
                #expect(status == "VOIDED", "\(id)")
            }
            let ledger = try await stack.ledgerIntents()
            for id in ids {
                for intent in ledger[id] ?? [] {
                    #expect(!["requires_capture", "succeeded"].contains(intent["status"] as? String ?? ""), "\(id) left a hold")
                }
            }
        }
    }

    @Test("a void before the authorization was sent answers 200 at once and never reaches the processor")
    func voidBeforeDispatch() async throws {
        try await Stack.withStack { stack in
            let intake = try await ServiceProcess.start(environment: stack.environment(role: "api"))
            defer { intake.terminate() }
            let api = stack.client(intake)
            let created = try await api.post("/payments/authorize", json: authorizeBody())
            let id = try #require(created.string("paymentId"))
            let voided = try await api.post("/payments/\(id)/void", json: nil)
            #expect(voided.status == 200)
            #expect(voided.string("status") == "VOIDED")
            #expect(voided.string("processorReference") == nil)
            #expect(try await stack.database.column("SELECT type FROM events WHERE payment_id = \(id)") == ["payment-voided"])
            #expect(try await stack.ledgerIntents()[id] == nil)
        }
    }

    @Test("a refund replayed with its key is the same refund; other payments' states refuse refunds")
    func refundReplay() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            let id = try await captured(api)
            let key = [("Idempotency-Key", "refund-1")] + Self.wait
            let first = try await api.post("/payments/\(id)/refunds", json: #"{"amount":1200,"reason":"requested_by_customer"}"#, headers: key)
            #expect(first.status == 201, "\(first.text)")
            #expect(first.string("status") == "PROCESSED")
            let refundId = try #require(first.string("refundId"))
            #expect(first.headers["location"] == "/refunds/\(refundId)")
            let replay = try await api.post("/payments/\(id)/refunds", json: #"{"amount":1200,"reason":"requested_by_customer"}"#, headers: key)
            #expect(replay.status == 200)
            #expect(replay.string("refundId") == refundId)
            #expect(try await api.post("/payments/\(id)/refunds", json: #"{"amount":1300}"#, headers: key).status == 409)
            #expect(try await api.get("/refunds/\(refundId)").string("status") == "PROCESSED")
            #expect(try await api.get("/refunds/\(UUID().uuidString)").status == 404)
            #expect(try await api.post("/payments/\(id)/refunds", json: #"{"reason":"because"}"#).status == 400)
            let notCaptured = try await authorized(api)
            #expect(try await api.post("/payments/\(notCaptured)/refunds", json: nil).status == 409)
            #expect(try await stack.database.column("SELECT type FROM events WHERE subject_id = \(refundId) ORDER BY seq")
                == ["refund-requested", "refund-processed"])
        }
    }

    @Test("twenty concurrent refunds never add up to more than the capture, and agree with the ledger")
    func concurrentRefunds() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            let id = try await captured(api, amount: 5000)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 { group.addTask { try await api.post("/payments/\(id)/refunds", json: #"{"amount":400}"#).status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 12)
            #expect(statuses.filter { $0 == 409 }.count == 8)
            let deadline = ContinuousClock.now + .seconds(30)
            var refunded = 0
            repeat {
                refunded = try await api.get("/payments/\(id)").int("amountRefunded") ?? 0
                if refunded == 4800 { break }
                try await Task.sleep(for: .milliseconds(100))
            } while ContinuousClock.now < deadline
            #expect(refunded == 4800)
            let intent = try #require(try await stack.ledgerIntents()[id]?.first)
            #expect(intent["amount_refunded"] as? Int == 4800)
            #expect(try await api.post("/payments/\(id)/refunds", json: #"{"amount":201}"#).status == 409)
            let last = try await api.post("/payments/\(id)/refunds", json: nil, headers: Self.wait)
            #expect(last.int("amount") == 200)
        }
    }

    @Test("a refund the processor fails later ends FAILED and gives its amount back")
    func refundFailsLater() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            let id = try await captured(api, amount: 3000, method: "pm_card_refundFail")
            let refund = try await api.post("/payments/\(id)/refunds", json: #"{"amount":1000}"#, headers: Self.wait)
            #expect(refund.status == 201)
            let refundId = try #require(refund.string("refundId"))
            let deadline = ContinuousClock.now + .seconds(20)
            var status = ""
            repeat {
                status = try await api.get("/refunds/\(refundId)").string("status") ?? ""
                if status == "FAILED" { break }
                try await Task.sleep(for: .milliseconds(200))
            } while ContinuousClock.now < deadline
            #expect(status == "FAILED")
            #expect(try await api.get("/payments/\(id)").int("amountRefunded") == 0)
            #expect(try await stack.database.column("SELECT type FROM events WHERE subject_id = \(refundId) ORDER BY seq")
                == ["refund-requested", "refund-processed", "refund-failed"])
            let again = try await api.post("/payments/\(id)/refunds", json: nil)
            #expect(again.status == 201)
            #expect(again.int("amount") == 3000)
        }
    }
}
