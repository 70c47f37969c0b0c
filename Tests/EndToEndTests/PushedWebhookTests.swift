import Foundation
import Testing
import TestSupport

/// Pushed webhooks through the real binary: a subscriber's endpoint receives the payments' events as the feed
/// serves them, signed, in feed order, at least once, also when two instances deliver and the receiver fails.
@Suite("Pushed webhooks through the binary", .serialized)
struct PushedWebhookTests {
    static let privateAllowed = ["WEBHOOK_ALLOW_PRIVATE": "1"]

    @Test("two instances, a receiver that answers 500, slow and drops: every event of the feed arrives in order, verified")
    func twoInstancesFlakyReceiver() async throws {
        try await Stack.withStack { stack in
            let first = try await ServiceProcess.start(environment: stack.environment(extra: Self.privateAllowed))
            let second = try await ServiceProcess.start(environment: stack.environment(extra: Self.privateAllowed))
            defer {
                _ = first.terminate()
                _ = second.terminate()
            }
            let api = [stack.client(first), stack.client(second)]
            let receiver = try WebhookReceiver.start()
            let made = try await api[0].post("/webhook-endpoints", json: "{\"url\":\"\(receiver.url)\",\"events\":[\"*\"]}")
            #expect(made.status == 201, "\(made.text)")
            let secret = try #require(made.string("secret"))
            let verifier = try WebhookReceiver.start(secrets: [secret], plan: ["500", "drop", "200", "slow:0.5", "500", "drop", "503", "200", "500"])
            let id = try #require(made.string("id"))
            #expect(try await api[1].send("PATCH", "/webhook-endpoints/\(id)", body: Array("{\"url\":\"\(verifier.url)\"}".utf8),
                                          headers: [("Content-Type", "application/json")]).status == 200)
            for index in 0..<8 {
                let client = api[index % 2]
                let answer = try await client.post("/payments/authorize", json: authorizeBody(amount: 1000 + index), headers: [("Prefer", "wait=10")])
                #expect(answer.string("status") == "AUTHORIZED", "\(answer.text)")
                let payment = try #require(answer.string("paymentId"))
                _ = try await api[(index + 1) % 2].post("/payments/\(payment)/capture", json: nil, headers: [("Prefer", "wait=10")])
            }
            let feed = try await Self.feed(api[0])
            #expect(feed.count >= 24, "\(feed.count) events")
            let taken: ([WebhookReceiver.Received]) -> [String] = { log in
                WebhookReceiver.Received.firstArrivals(log.filter { $0.action == "200" || $0.action.hasPrefix("slow") })
            }
            let log = await verifier.received(within: .seconds(40)) { taken($0) == feed }
            #expect(taken(log) == feed, "\(log.count) received of \(feed.count)")
            #expect(WebhookReceiver.Received.firstArrivals(log) == feed, "a refused event was followed by a later one")
            #expect(log.allSatisfy { $0.verified == [0] && $0.bodyId == $0.eventId })
            // The first receiver, before the URL moved, saw a prefix of the same order (maybe nothing yet).
            let early = WebhookReceiver.Received.firstArrivals(receiver.received())
            #expect(Array(feed.prefix(early.count)) == early)
            receiver.kill()
            verifier.kill()
        }
    }

    @Test("the processor's call metrics do not count deliveries; the deliverer's own do")
    func ownMetrics() async throws {
        try await Stack.withService(extra: Self.privateAllowed) { stack, service in
            let api = stack.client(service)
            let receiver = try WebhookReceiver.start()
            _ = try await api.post("/webhook-endpoints", json: "{\"url\":\"\(receiver.url)\",\"events\":[\"payment-succeeded\"]}")
            let answer = try await api.post("/payments/authorize", json: authorizeBody(), headers: [("Prefer", "wait=10")])
            #expect(answer.string("status") == "AUTHORIZED")
            let log = await receiver.received { $0.count == 1 }
            #expect(log.map(\.eventType) == ["payment-succeeded"])
            let metrics = try await api.get("/metrics").text
            #expect(metrics.contains("webhook_deliveries_total{outcome=\"delivered\",redelivery=\"false\"} 1"), "\(metrics.split(separator: "\n").filter { $0.contains("webhook") })")
            #expect(!metrics.split(separator: "\n").contains { $0.hasPrefix("stripe_calls_total") && $0.contains("hook") })
            receiver.kill()
        }
    }

    /// Every event of the feed, oldest first.
    static func feed(_ api: APIClient) async throws -> [String] {
        var ids: [String] = []
        var after = "0-0"
        while true {
            let page = try await api.get("/events?after=\(after)&limit=1000").json
            let events = (page["events"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            if events.isEmpty { return ids }
            ids += events
            after = page["next"] as? String ?? after
        }
    }
}
