import Foundation
import Testing
import TestSupport

/// Lost COMMIT replies on pushed webhooks' writes, through a proxy in front of PostgreSQL: each unit run again
/// recognises what its first run committed.
@Suite("Lost COMMIT replies on webhook writes", .serialized)
struct WebhookLostCommitTests {
    static let extra = ["WEBHOOK_ALLOW_PRIVATE": "1"]

    @Test("a delivery's record: the event is not sent again, its attempt counted once, the endpoint not held up")
    func deliveryRecord() async throws {
        try await LostCommitTests.withProxiedService(extra: Self.extra) { stack, service, proxy in
            let api = stack.client(service)
            let receiver = try WebhookReceiver.start()
            defer { receiver.kill() }
            let made = try await api.post("/webhook-endpoints", json: "{\"url\":\"\(receiver.url)\",\"events\":[\"payment-succeeded\"]}")
            let id = try #require(made.string("id"))
            try proxy.arm(.commitAfter, matching: "INSERT INTO webhook_deliveries AS d")
            _ = try await LostCommitTests.authorized(api)
            _ = await receiver.received { $0.count == 1 }
            _ = try await LostCommitTests.authorized(api)
            let log = await receiver.received { $0.count >= 2 }
            #expect(proxy.fired == 1)
            #expect(log.count == 2 && Set(log.compactMap(\.eventId)).count == 2, "\(log.map { $0.eventId ?? "" })")
            var attempts: [String?] = []
            for _ in 0..<100 {
                attempts = try await stack.database.column(
                    "SELECT attempts::text FROM webhook_deliveries WHERE endpoint_id = \(id)::uuid AND status = 'delivered' ORDER BY id")
                if attempts.count == 2 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(attempts == ["1", "1"])
        }
    }

    @Test("delete answers 204 once, rotation hands out the secret it stored")
    func deleteAndRotate() async throws {
        try await LostCommitTests.withProxiedService(extra: Self.extra) { stack, service, proxy in
            let api = stack.client(service)
            let made = try await api.post("/webhook-endpoints", json: "{\"url\":\"http://127.0.0.1:9/x\",\"events\":[\"*\"]}")
            let id = try #require(made.string("id"))
            try proxy.arm(.commitAfter, matching: "UPDATE webhook_endpoints SET previous_secret")
            let rotated = try await api.post("/webhook-endpoints/\(id)/rotate-secret", json: "{\"overlapSeconds\":60}")
            #expect(proxy.fired == 1)
            #expect(rotated.status == 200, "\(rotated.text)")
            let stored = try await stack.database.scalar("SELECT secret || ' ' || previous_secret FROM webhook_endpoints")
            #expect(stored == "\(rotated.string("secret") ?? "?") \(made.string("secret") ?? "?")")
            try proxy.arm(.commitAfter, matching: "DELETE FROM webhook_endpoints")
            let deleted = try await api.send("DELETE", "/webhook-endpoints/\(id)", body: nil, headers: [])
            #expect(proxy.fired == 2)
            #expect(deleted.status == 204, "\(deleted.text)")
            #expect(try await stack.database.scalar("SELECT count(*) FROM audit_log WHERE subject = \(id) AND action = 'unsubscribe'") == "1")
        }
    }
}
