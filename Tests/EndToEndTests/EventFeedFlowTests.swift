import Foundation
import Testing
import TestSupport

/// `GET /events` and `GET /events/stream` of the real binary.
@Suite("Events feed and stream, end to end")
struct EventFeedFlowTests {
    @Test("the feed shows each authorization's events with their data, oldest first; small pages give the same feed")
    func feed() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            let good = try await api.post("/payments/authorize", json: authorizeBody(amount: 4200), headers: [("Prefer", "wait=10")])
            #expect(good.string("status") == "AUTHORIZED")
            let declined = try await api.post(
                "/payments/authorize", json: authorizeBody(paymentMethod: "pm_card_chargeDeclinedInsufficientFunds"),
                headers: [("Prefer", "wait=10")])
            #expect(declined.status == 402)

            let events = try await feed(api, count: 4)
            #expect(events.map { $0["type"] as? String } == ["payment-requested", "payment-succeeded", "payment-requested", "payment-failed"])
            let data = events.map { $0["data"] as? [String: Any] ?? [:] }
            #expect(data[0]["paymentId"] as? String == good.string("paymentId"))
            #expect(data[0]["orderId"] as? String == good.string("orderId"))
            #expect(data[0]["amount"] as? Int == 4200)
            #expect(data[0]["currency"] as? String == "USD")
            #expect(data[1]["paymentId"] as? String == good.string("paymentId"))
            #expect(data[1]["processorReference"] as? String == good.string("processorReference"))
            #expect(data[1]["amount"] as? Int == 4200)
            #expect(data[3]["paymentId"] as? String == declined.string("paymentId"))
            #expect(data[3]["reason"] as? String == "INSUFFICIENT_FUNDS")
            let ids = events.compactMap { $0["id"] as? String }
            #expect(Set(ids).count == 4)
            #expect(events.allSatisfy { ($0["occurredAt"] as? String)?.hasSuffix("Z") == true })

            let whole = try await api.get("/events")
            #expect(whole.status == 200)
            #expect(whole.headers["content-type"] == "application/json")
            #expect(whole.string("next") == ids.last)
            var paged: [String] = []
            var next: String?
            repeat {
                let page = try await api.get("/events?limit=1" + (next.map { "&after=\($0)" } ?? ""))
                #expect(page.status == 200, "\(page.text)")
                let pageIds = (page.json["events"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                #expect(pageIds.count <= 1)
                paged += pageIds
                #expect(page.string("next") == pageIds.last ?? next)
                if pageIds.isEmpty { break }
                next = page.string("next")
            } while paged.count < 10
            #expect(paged == ids)

            let anonymous = try await stack.client(service, token: nil).get("/events")
            #expect(anonymous.status == 401)
        }
    }

    static let badQueries: [(query: String, names: [String])] = [
        ("after=abc", ["after"]), ("after=", ["after"]), ("after=12", ["after"]), ("after=-1-2", ["after"]),
        ("limit=0", ["limit"]), ("limit=1001", ["limit"]), ("limit=ten", ["limit"]), ("limit=-5", ["limit"]),
        ("limit=1.5", ["limit"]), ("after=x&limit=0", ["after", "limit"]),
    ]

    @Test("a bad after or limit is a 400 naming the parameter")
    func badParameters() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            for (query, names) in Self.badQueries {
                let answer = try await api.get("/events?\(query)")
                #expect(answer.status == 400, "\(query): \(answer.text)")
                #expect(answer.headers["content-type"] == "application/problem+json")
                let errors = answer.json["errors"] as? [[String: Any]] ?? []
                #expect(errors.compactMap { $0["parameter"] as? String } == names, "\(query)")
                if names.contains("after") {
                    #expect(try await api.get("/events/stream?\(query)").status == 400, "stream \(query)")
                }
            }
            #expect(try await api.get("/events?limit=1000&after=0-0").status == 200)
        }
    }

    @Test("the stream delivers a new payment's events within a second or two, and resumes after Last-Event-ID without repeats")
    func stream() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            let auth = [("Authorization", "Bearer \(Stack.token)")]
            let reader = try await EventStreamReader.open(port: service.port, path: "/events/stream", headers: auth)
            defer { reader.close() }
            #expect(reader.status == 200)
            #expect(reader.headers["content-type"] == "text/event-stream")

            let first = try await api.post("/payments/authorize", json: authorizeBody(), headers: [("Prefer", "wait=10")])
            #expect(first.string("status") == "AUTHORIZED")
            let answered = ContinuousClock.now
            #expect(await reader.waitUntil(timeout: .seconds(2)) { $0.count >= 2 }, "events: \(reader.events)")
            #expect(ContinuousClock.now - answered < .seconds(2))
            let seen = reader.events
            #expect(seen.map(\.type) == ["payment-requested", "payment-succeeded"])
            #expect(seen.allSatisfy { ($0.json["data"] as? [String: Any])?["paymentId"] as? String == first.string("paymentId") })
            #expect(seen.allSatisfy { $0.id != nil && $0.json["id"] as? String == $0.id && $0.json["type"] as? String == $0.type })
            reader.close()

            // Resume after the first event: the second comes again, the first does not, then a new payment's.
            let resumed = try await EventStreamReader.open(
                port: service.port, path: "/events/stream", headers: auth + [("Last-Event-ID", seen[0].id ?? "")])
            defer { resumed.close() }
            #expect(await resumed.waitUntil { $0.count >= 1 })
            let second = try await api.post("/payments/authorize", json: authorizeBody(capture: "automatic"), headers: [("Prefer", "wait=10")])
            #expect(second.string("status") == "CAPTURED")
            #expect(await resumed.waitUntil(timeout: .seconds(3)) { $0.count >= 4 }, "events: \(resumed.events)")
            try await Task.sleep(for: .milliseconds(1500))
            let after = resumed.events
            #expect(after.map(\.type) == ["payment-succeeded", "payment-requested", "payment-succeeded", "payment-captured"])
            #expect(after.first?.id == seen[1].id)
            #expect(Set(after.compactMap(\.id)).count == after.count)

            // `?after=` resumes too; a header wins over it.
            let byQuery = try await EventStreamReader.open(port: service.port, path: "/events/stream?after=\(seen[1].id ?? "")", headers: auth)
            defer { byQuery.close() }
            #expect(await byQuery.waitUntil { $0.count >= 3 })
            #expect(byQuery.events.map(\.id) == Array(after.dropFirst()).map(\.id))

            let badHeader = try await api.get("/events/stream", headers: [("Last-Event-ID", "nope")])
            #expect(badHeader.status == 400)
            #expect((badHeader.json["errors"] as? [[String: Any]])?.first?["parameter"] as? String == "Last-Event-ID")
            let anonymous = try await EventStreamReader.open(port: service.port, path: "/events/stream")
            #expect(anonymous.status == 401)
            anonymous.close()
        }
    }

    @Test("an idle stream sends a keep-alive comment every 15 seconds")
    func keepAlive() async throws {
        try await Stack.withService { stack, service in
            let reader = try await EventStreamReader.open(
                port: service.port, path: "/events/stream", headers: [("Authorization", "Bearer \(Stack.token)")])
            defer { reader.close() }
            try await Task.sleep(for: .seconds(13))
            #expect(!reader.comments.contains("keep-alive"))
            try await Task.sleep(for: .seconds(5))
            #expect(reader.comments.filter { $0 == "keep-alive" }.count == 1, "\(reader.comments)")
            #expect(!reader.isFinished)
        }
    }

    @Test("a stream on one instance sees events committed by another at once; SIGTERM ends open streams promptly")
    func twoInstances() async throws {
        try await Stack.withService { stack, worker in
            let apiOnly = try await ServiceProcess.start(environment: stack.environment(role: "api"))
            defer { apiOnly.kill() }
            let reader = try await EventStreamReader.open(
                port: apiOnly.port, path: "/events/stream", headers: [("Authorization", "Bearer \(Stack.token)")])
            defer { reader.close() }
            #expect(reader.status == 200)
            let payment = try await stack.client(worker).post("/payments/authorize", json: authorizeBody(), headers: [("Prefer", "wait=10")])
            #expect(payment.string("status") == "AUTHORIZED")
            let answered = ContinuousClock.now
            #expect(await reader.waitUntil(timeout: .seconds(2)) { $0.count >= 2 }, "events: \(reader.events)")
            #expect(ContinuousClock.now - answered < .seconds(1.5))

            let stopping = ContinuousClock.now
            #expect(apiOnly.terminate() == 0, "\(apiOnly.log())")
            #expect(ContinuousClock.now - stopping < .seconds(5))
            #expect(await reader.waitUntil(timeout: .seconds(2)) { _ in reader.isFinished })
        }
    }

    @Test("every event's data validates against its JSON Schema (Python jsonschema, formats enforced)")
    func schemas() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            let bodies = [
                authorizeBody(), authorizeBody(capture: "automatic"),
                authorizeBody(paymentMethod: "pm_card_chargeDeclined"), authorizeBody(paymentMethod: "pm_card_doesNotExist"),
            ]
            let wait = [("Prefer", "wait=10")]
            for body in bodies { _ = try await api.post("/payments/authorize", json: body, headers: wait) }
            // The extensions and the refund events too: a void, and a refund the processor fails later.
            let toVoid = try await api.post("/payments/authorize", json: authorizeBody(), headers: wait).string("paymentId") ?? ""
            _ = try await api.post("/payments/\(toVoid)/void", json: nil, headers: wait)
            let refunded = try await api.post(
                "/payments/authorize", json: authorizeBody(paymentMethod: "pm_card_refundFail", capture: "automatic"), headers: wait)
            _ = try await api.post("/payments/\(refunded.string("paymentId") ?? "")/refunds", json: #"{"amount":1000,"reason":"duplicate"}"#)
            let events = try await feed(api, count: 18)
            #expect(Set(events.compactMap { $0["type"] as? String }) == [
                "payment-requested", "payment-succeeded", "payment-captured", "payment-failed", "payment-voided",
                "refund-requested", "refund-processed", "refund-failed",
            ])
            let whole = try await api.get("/events")
            let check = try EventSchemaCheck.run(feed: whole.body)
            #expect(check.status == 0, "\(check.output)")
            #expect(check.output.contains("18 events checked"), "\(check.output)")

            // The validator is real: a wrong field fails it.
            let broken = whole.text.replacingOccurrences(of: "\"currency\":\"USD\"", with: "\"currency\":\"usd\"")
            let refused = try EventSchemaCheck.run(feed: Array(broken.utf8))
            #expect(refused.status == 1, "\(refused.output)")
            #expect(refused.output.contains("does not match"), "\(refused.output)")
        }
    }

    /// Reads the whole feed until it holds `count` events (other tests' transactions may hold it back briefly).
    private func feed(_ api: APIClient, count: Int) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + .seconds(20)
        var events: [[String: Any]] = []
        while ContinuousClock.now < deadline {
            let answer = try await api.get("/events")
            #expect(answer.status == 200, "\(answer.text)")
            events = answer.json["events"] as? [[String: Any]] ?? []
            if events.count >= count { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return events
    }
}
