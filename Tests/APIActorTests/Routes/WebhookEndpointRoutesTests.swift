import Foundation
import HTTPTypes
import Testing
import Payments
import TestSupport
@testable import APIActor

@Suite("Webhook endpoint routes: subscribe, change, rotate, replay, redeliver, the log, and the SSRF rule at save")
struct WebhookEndpointRoutesTests {
    static let create = "{\"url\":\"https://orders.example/hooks\",\"events\":[\"payment-succeeded\",\"payment-failed\"],\"description\":\"checkout\"}"

    @Test("created with its secret shown once; read, listed and audited without it")
    func createAndRead() async throws {
        try await RouteBed.run { bed in
            let made = try await bed.post("/webhook-endpoints", json: Self.create, headers: [.init("X-Reason")!: "onboarding"])
            #expect(made.status == 201, "\(made.text)")
            let id = try #require(made.string("id"))
            #expect(made.headers[.location] == "/webhook-endpoints/\(id)")
            let secret = try #require(made.string("secret"))
            #expect(secret.wholeMatch(of: /whsec_[0-9a-f]{64}/) != nil)
            #expect(made.object["events"] as? [String] == ["payment-succeeded", "payment-failed"] && made.object["enabled"] as? Bool == true)
            let shown = try await bed.get("/webhook-endpoints/\(id)")
            let listed = try await bed.get("/webhook-endpoints")
            #expect(shown.status == 200 && !shown.text.contains(secret) && shown.object["secret"] == nil)
            #expect(listed.status == 200 && !listed.text.contains(secret) && (listed.object["endpoints"] as? [Any])?.count == 1)
            let audit = try await bed.get("/audit?subject=\(id)")
            #expect(!audit.text.contains(secret) && audit.text.contains("\"action\":\"subscribe\"") && audit.text.contains("onboarding"), "\(audit.text)")
            try RouteBed.expectDocumented([
                made.documented("POST", "/webhook-endpoints"), shown.documented("GET", "/webhook-endpoints/{endpointId}"),
                listed.documented("GET", "/webhook-endpoints"),
            ])
        }
    }

    @Test("IP literals in refused ranges, in any spelling, are 400 naming /url and store nothing", arguments: [
        "http://127.0.0.1/", "http://127.1/", "http://2130706433/", "http://0177.0.0.1/", "http://0x7f.0.0.1/", "http://0x7f000001/",
        "http://10.0.0.5/", "http://172.16.3.4:8080/x", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/", "http://0.0.0.0/", "http://0/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/",
        "http://[fc00::1]/", "http://[fd12:3456::1]/", "http://[fe80::1]/", "http://[::]/", "http://[64:ff9b::a00:1]/", "http://localhost/",
        "http://LOCALHOST./", "http://api.localhost/", "http://224.0.0.1/", "http://255.255.255.255/", "http://127.0.0.1./",
        "ftp://example.com/", "file:///etc/passwd", "gopher://example.com/", "http://user:pw@example.com/", "http://example.com@127.0.0.1/",
        "http://example.com\\\\@127.0.0.1/", "http://256.1.1.1/", "http://1.2.3.4.5/", "http://[::1%25eth0]/", "http://exa mple.com/",
        "http://%31%32%37.0.0.1/", "http:/example.com", "//example.com", "http://:80/", "http://example.com:0/", "http://example.com:65536/",
    ])
    func refusedURLs(_ url: String) async throws {
        try await RouteBed.run { bed in
            let body = "{\"url\":\(JSONString(url)),\"events\":[\"*\"]}"
            let answer = try await bed.post("/webhook-endpoints", json: body)
            answer.expectProblem(400, naming: "/url")
            #expect(try await bed.db.scalar("SELECT count(*) FROM webhook_endpoints") == "0")
        }
    }

    @Test("the OpenAPI document's url pattern is the validator's own grammar, in both bodies")
    func documentedGrammar() throws {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]])
        for name in ["WebhookEndpointCreate", "WebhookEndpointChange"] {
            let url = (schemas[name]?["properties"] as? [String: [String: Any]])?["url"]
            #expect(url?["pattern"] as? String == WebhookDestination.pattern, "\(name)")
        }
    }

    @Test("public addresses and names are accepted; WEBHOOK_ALLOW_PRIVATE lets loopback through", arguments: [
        "https://8.8.8.8/hook", "https://hooks.example.com/a?b=c#d", "http://example.com:8080", "HTTPS://A.Example:65535/x@y?z=1",
    ])
    func acceptedURLs(_ url: String) async throws {
        try await RouteBed.run { bed in
            let answer = try await bed.post("/webhook-endpoints", json: "{\"url\":\(JSONString(url)),\"events\":[\"*\"]}")
            #expect(answer.status == 201, "\(answer.text)")
        }
        try await RouteBed.run(RouteBed.configuration(webhookAllowPrivate: true)) { bed in
            let answer = try await bed.post("/webhook-endpoints", json: "{\"url\":\"http://127.0.0.1:9/x\",\"events\":[\"*\"]}")
            #expect(answer.status == 201, "\(answer.text)")
        }
    }

    @Test("every bad field is named in one 400", arguments: [
        ("{\"events\":[\"*\"]}", "/url"), ("{\"url\":\"https://e.example/\"}", "/events"),
        ("{\"url\":\"https://e.example/\",\"events\":[\"payment-succeded\"]}", "/events/0"),
        ("{\"url\":\"https://e.example/\",\"events\":[\"*\",\"payment-faild\"]}", "/events/1"),
        ("{\"url\":\"https://e.example/\",\"events\":[]}", "/events"), ("{\"url\":\"https://e.example/\",\"events\":\"*\"}", "/events"),
        ("{\"url\":42,\"events\":[\"*\"]}", "/url"), ("{\"url\":\"https://e.example/\",\"events\":[\"*\"],\"secret\":\"x\"}", "/secret"),
        ("{\"url\":\"https://e.example/\",\"events\":[\"*\"],\"description\":\"\(String(repeating: "d", count: 501))\"}", "/description"),
        ("{\"url\":\"https://e.example/\",\"events\":[\"*\"],\"description\":\"a\\u0000b\"}", "/description"), ("[]", ""),
    ])
    func invalidBodies(_ body: String, _ field: String) async throws {
        try await RouteBed.run { bed in
            try await bed.post("/webhook-endpoints", json: body).expectProblem(400, naming: field)
            #expect(try await bed.db.scalar("SELECT count(*) FROM webhook_endpoints") == "0")
        }
    }

    @Test("PATCH changes only what it names; a bad field changes nothing; DELETE answers 204, then 404")
    func updateAndDelete() async throws {
        try await RouteBed.run { bed in
            let id = try #require(try await bed.post("/webhook-endpoints", json: Self.create).string("id"))
            let changed = try await bed.send(.patch, "/webhook-endpoints/\(id)", json: "{\"events\":[\"*\"],\"description\":null,\"enabled\":false}")
            #expect(changed.status == 200, "\(changed.text)")
            #expect(changed.object["events"] as? [String] == ["*"] && changed.object["enabled"] as? Bool == false)
            #expect(changed.object["description"] is NSNull && changed.string("url") == "https://orders.example/hooks")
            try await bed.send(.patch, "/webhook-endpoints/\(id)", json: "{\"url\":\"http://10.1.1.1/\",\"enabled\":true}").expectProblem(400, naming: "/url")
            #expect(try await bed.get("/webhook-endpoints/\(id)").object["enabled"] as? Bool == false)
            try await bed.send(.patch, "/webhook-endpoints/\(id)", json: "{\"enabled\":\"yes\"}").expectProblem(400, naming: "/enabled")
            _ = try await bed.expectUnknownIsNotFound(.patch, "/webhook-endpoints/{id}")
            let deleted = try await bed.send(.delete, "/webhook-endpoints/\(id)")
            #expect(deleted.status == 204)
            try await bed.send(.delete, "/webhook-endpoints/\(id)").expectProblem(404)
            try await bed.get("/webhook-endpoints/\(id)").expectProblem(404)
            let actions = try await bed.db.column("SELECT action FROM audit_log WHERE subject = \(id) ORDER BY id")
            #expect(actions == ["subscribe", "update-endpoint", "unsubscribe"])
            try RouteBed.expectDocumented([changed.documented("PATCH", "/webhook-endpoints/{endpointId}"), deleted.documented("DELETE", "/webhook-endpoints/{endpointId}")])
        }
    }

    @Test("rotation hands out a new secret once and bounds the overlap")
    func rotate() async throws {
        try await RouteBed.run { bed in
            let made = try await bed.post("/webhook-endpoints", json: Self.create)
            let id = try #require(made.string("id"))
            try await bed.post("/webhook-endpoints/\(id)/rotate-secret", json: "{\"overlapSeconds\":604801}").expectProblem(400, naming: "/overlapSeconds")
            try await bed.post("/webhook-endpoints/\(id)/rotate-secret", json: "{\"overlapSeconds\":-1}").expectProblem(400, naming: "/overlapSeconds")
            let rotated = try await bed.post("/webhook-endpoints/\(id)/rotate-secret", json: "{\"overlapSeconds\":60}")
            #expect(rotated.status == 200, "\(rotated.text)")
            let secret = try #require(rotated.string("secret"))
            #expect(secret != made.string("secret") && secret.hasPrefix("whsec_") && rotated.string("previousSecretExpiresAt") != nil)
            let stored = try await bed.db.column("SELECT secret || ' ' || previous_secret FROM webhook_endpoints")
            #expect(stored == ["\(secret) \(made.string("secret") ?? "")"])
            #expect(try await bed.post("/webhook-endpoints/\(id)/rotate-secret", json: nil).status == 200)
            _ = try await bed.expectUnknownIsNotFound(.post, "/webhook-endpoints/{id}/rotate-secret")
            try RouteBed.expectDocumented([rotated.documented("POST", "/webhook-endpoints/{endpointId}/rotate-secret")])
        }
    }

    @Test("replay moves the cursor back only; a redelivery is queued for an existing event of an enabled endpoint")
    func replayAndRedeliver() async throws {
        try await RouteBed.run { bed in
            let event = try #require(try await bed.db.scalar(
                """
                INSERT INTO events (type, subject_id, payment_id, data) VALUES ('payment-succeeded', gen_random_uuid(), gen_random_uuid(), '{}')
                RETURNING xid::text || '-' || seq
                """))
            let made = try await bed.post("/webhook-endpoints", json: Self.create)
            let id = try #require(made.string("id"))
            #expect(made.string("cursor") == event, "a new endpoint starts at the feed's head")
            try await bed.post("/webhook-endpoints/\(id)/replay", json: "{\"after\":\"x\"}").expectProblem(400, naming: "/after")
            try await bed.post("/webhook-endpoints/\(id)/replay", json: "{}").expectProblem(400, naming: "/after")
            try await bed.post("/webhook-endpoints/\(id)/replay", json: "{\"after\":\"999999999999-1\"}").expectProblem(409)
            let replayed = try await bed.post("/webhook-endpoints/\(id)/replay", json: "{\"after\":\"0-0\"}")
            #expect(replayed.status == 200 && replayed.string("cursor") == "0-0", "\(replayed.text)")
            try await bed.post("/webhook-endpoints/\(id)/deliveries/1-1/retry", json: nil).expectProblem(404)
            try await bed.post("/webhook-endpoints/\(id)/deliveries/nope/retry", json: nil).expectProblem(404)
            let queued = try await bed.post("/webhook-endpoints/\(id)/deliveries/\(event)/retry", json: nil)
            #expect(queued.status == 202 && queued.object["redelivery"] as? Bool == true && queued.string("status") == "pending", "\(queued.text)")
            let log = try await bed.get("/webhook-endpoints/\(id)/deliveries?limit=10")
            #expect(log.status == 200 && (log.object["deliveries"] as? [Any])?.count == 1 && log.object["next"] is NSNull)
            try await bed.get("/webhook-endpoints/\(id)/deliveries?limit=0").expectProblem(400, naming: "limit")
            try await bed.get("/webhook-endpoints/\(id)/deliveries?before=x").expectProblem(400, naming: "before")
            _ = try await bed.send(.patch, "/webhook-endpoints/\(id)", json: "{\"enabled\":false}")
            try await bed.post("/webhook-endpoints/\(id)/deliveries/\(event)/retry", json: nil).expectProblem(409)
            try RouteBed.expectDocumented([
                replayed.documented("POST", "/webhook-endpoints/{endpointId}/replay"),
                queued.documented("POST", "/webhook-endpoints/{endpointId}/deliveries/{eventId}/retry"),
                log.documented("GET", "/webhook-endpoints/{endpointId}/deliveries"),
            ])
        }
    }

    @Test("a credential without admin gets 403 on every endpoint route")
    func adminOnly() async throws {
        try await RouteBed.run(RouteBed.configuration(tokens: ["ordering:authorize+read+events:ordering-secret"])) { bed in
            for (method, path) in [(HTTPRequest.Method.post, "/webhook-endpoints"), (.get, "/webhook-endpoints"), (.delete, "/webhook-endpoints/\(RouteBed.newId())")] {
                try await bed.send(method, path, json: Self.create, token: "ordering-secret").expectProblem(403)
            }
        }
    }
}

/// A JSON string literal of `text`.
private func JSONString(_ text: String) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes]), as: UTF8.self).dropFirst().dropLast().description
}
