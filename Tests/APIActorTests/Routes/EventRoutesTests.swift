import Foundation
import HTTPTypes
import Store
import Testing
import TestSupport
@testable import APIActor

/// `GET /events` and `GET /events/stream` through the real router and a real database.
@Suite("Event routes", .serialized)
struct EventRoutesTests {
    /// Voids two unsent payments: each writes a `payment-voided` event.
    static func writeEvents(_ bed: RouteBed) async throws -> [String] {
        var voided: [String] = []
        for _ in 0..<2 {
            let paymentId = try await bed.authorize()
            #expect(try await bed.post("/payments/\(paymentId)/void", json: nil).status == 200)
            voided.append(paymentId)
        }
        return voided
    }

    /// `GET /events` once it shows `count` events. The feed serves only events older than every transaction in
    /// progress on the server, and other tests may hold one open for a while.
    static func feed(_ bed: RouteBed, count: Int) async throws -> RouteAnswer {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            let page = try await bed.get("/events")
            if (page.object["events"] as? [Any])?.count ?? 0 >= count || ContinuousClock.now > deadline { return page }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    @Test("a page is a 200 of events oldest first with next; paging from next goes on from there")
    func page() async throws {
        try await RouteBed.run { bed in
            let empty = try await bed.get("/events")
            #expect(empty.status == 200)
            #expect((empty.object["events"] as? [Any])?.isEmpty == true)
            let voided = try await Self.writeEvents(bed)
            let all = try await Self.feed(bed, count: 2)
            let events = all.object["events"] as? [[String: Any]] ?? []
            #expect(events.map { $0["type"] as? String } == ["payment-voided", "payment-voided"])
            #expect(events.map { ($0["data"] as? [String: Any])?["paymentId"] as? String } == voided)
            let first = try await bed.get("/events?limit=1")
            #expect((first.object["events"] as? [Any])?.count == 1)
            let next = try #require(first.string("next"))
            #expect(next == events.first?["id"] as? String)
            let rest = try await bed.get("/events?after=\(next)&limit=10")
            #expect((rest.object["events"] as? [[String: Any]])?.map { $0["id"] as? String } == [events.last?["id"] as? String])
            try RouteBed.expectDocumented("GET", "/events", [empty, all, rest])
            let feed = try EventSchemaCheck.run(feed: all.body)
            #expect(feed.status == 0, "\(feed.output)")
        }
    }

    @Test("a bad after or limit is a 400 naming each; no token is a 401")
    func refusals() async throws {
        try await RouteBed.run { bed in
            let bad = try await bed.get("/events?after=garbage&limit=0")
            bad.expectProblem(400, naming: "after")
            bad.expectProblem(400, naming: "limit")
            try await bed.get("/events?limit=x").expectProblem(400, naming: "limit")
            try await bed.get("/events/stream?after=garbage").expectProblem(400, naming: "after")
            try await bed.get("/events/stream", headers: [.init("Last-Event-ID")!: "nope"]).expectProblem(400, naming: "Last-Event-ID")
            try await bed.get("/events", token: nil).expectProblem(401)
            try await bed.get("/events/stream", token: nil).expectProblem(401)
            try RouteBed.expectDocumented("GET", "/events", [bad])
        }
    }

    @Test("the stream is text/event-stream with each event's cursor as its id, resuming after Last-Event-ID")
    func stream() async throws {
        // A closed signal ends the stream once it has sent what the feed holds, as a graceful shutdown does.
        let signal = EventSignal()
        signal.close()
        try await RouteBed.run(events: signal) { bed in
            _ = try await Self.writeEvents(bed)
            let page = try await Self.feed(bed, count: 2)
            let ids = (page.object["events"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids.count == 2)
            let stream = try await bed.get("/events/stream")
            #expect(stream.status == 200)
            #expect(stream.contentType == "text/event-stream")
            #expect(stream.text.hasPrefix(": connected"))
            #expect(Self.streamIds(stream.text) == ids)
            let resumed = try await bed.get("/events/stream", headers: [.init("Last-Event-ID")!: ids[0]])
            #expect(Self.streamIds(resumed.text) == [ids[1]])
            try RouteBed.expectDocumented("GET", "/events/stream", [stream])
        }
    }

    static func streamIds(_ text: String) -> [String] {
        text.split(separator: "\n").filter { $0.hasPrefix("id:") }.map { $0.dropFirst(3).trimmingCharacters(in: .whitespaces) }
    }
}
