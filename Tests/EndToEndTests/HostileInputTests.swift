import Foundation
import StripeGateway
import Testing
import TestSupport

/// Hostile input through the real binary: each case gets a 4xx problem+json, never a 5xx, never a crash,
/// and writes nothing.
@Suite("Hostile input, end to end")
struct HostileInputTests {
    struct Case: Sendable {
        var name: String
        var method: String
        var path: String
        var headers: [(String, String)] = [("Content-Type", "application/json")]
        var body: [UInt8]? = nil
        /// Some answers come from the HTTP parser before any route runs: a bare 4xx, no problem body.
        var problem = true
    }

    static func json(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// `{id}` is replaced by an existing AUTHORIZED payment, so lifecycle routes are reached for real.
    static func cases() -> [Case] {
        let valid = authorizeBody()
        let cart = "6b1f2a4e-8a0c-4a8e-9a51-0d6f1c9d2b11"
        func authorize(_ name: String, _ body: [UInt8], headers: [(String, String)] = [("Content-Type", "application/json")]) -> Case {
            Case(name: name, method: "POST", path: "/payments/authorize", headers: headers, body: body)
        }
        return [
            authorize("16 KiB + 1", json(authorizeBody(extra: "\"metadata\":{\"k\":\"\(String(repeating: "x", count: 16_384))\"}"))),
            authorize("1 MiB", [UInt8](repeating: UInt8(ascii: "["), count: 1 << 20)),
            authorize("deep arrays", json(String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000))),
            authorize("deep objects in metadata", json(authorizeBody(extra: "\"metadata\":" + String(repeating: "{\"a\":", count: 3000) + "1" + String(repeating: "}", count: 3000)))),
            authorize("duplicate keys", json(#"{"cartId":"\#(cart)","amount":1,"amount":2,"currency":"USD"}"#)),
            authorize("duplicate keys in metadata", json(authorizeBody(extra: #""metadata":{"a":"1","a":"2"}"#))),
            authorize("huge integer", json(#"{"cartId":"\#(cart)","amount":123456789012345678901234567890,"currency":"USD"}"#)),
            authorize("overflowing exponent", json(#"{"cartId":"\#(cart)","amount":1e400,"currency":"USD"}"#)),
            authorize("negative zero", json(#"{"cartId":"\#(cart)","amount":-0,"currency":"USD"}"#)),
            authorize("fractional exponent", json(#"{"cartId":"\#(cart)","amount":1e-3,"currency":"USD"}"#)),
            authorize("NaN", json(#"{"cartId":"\#(cart)","amount":NaN,"currency":"USD"}"#)),
            authorize("invalid UTF-8", json(#"{"cartId":"\#(cart)","amount":100,"currency":""#) + [0xC3, 0x28] + json(#""}"#)),
            authorize("overlong UTF-8", json(#"{"cartId":"\#(cart)","amount":100,"currency":"U"#) + [0xC0, 0xAF] + json(#"D"}"#)),
            authorize("lone surrogate escape", json(#"{"cartId":"\#(cart)","amount":100,"currency":"\uD800SD"}"#)),
            authorize("NUL in a string", json(#"{"cartId":"\#(cart)","amount":100,"currency":"US\u0000"}"#)),
            authorize("raw control character", json("{\"cartId\":\"\(cart)\",\"amount\":100,\"currency\":\"U\u{01}D\"}")),
            authorize("byte order mark", [0xEF, 0xBB, 0xBF] + json(valid)),
            authorize("trailing garbage", json(valid + "x")),
            authorize("two documents", json(valid + valid)),
            authorize("empty body", []),
            authorize("null", json("null")),
            authorize("a string", json("\"hello\"")),
            authorize("text/plain", json(valid), headers: [("Content-Type", "text/plain")]),
            authorize("no content type", json(valid), headers: []),
            authorize("form encoded", json("cartId=\(cart)&amount=100"), headers: [("Content-Type", "application/x-www-form-urlencoded")]),
            authorize("json look-alike", json(valid), headers: [("Content-Type", "application/json-patch+json")]),
            authorize("multipart", json(valid), headers: [("Content-Type", "multipart/form-data; boundary=x")]),
            authorize("Idempotency-Key of 256", json(valid), headers: [("Content-Type", "application/json"), ("Idempotency-Key", String(repeating: "k", count: 256))]),
            // 255 graphemes of 25 bytes each: over the key index's row size if counted in characters.
            authorize("Idempotency-Key of combining marks", json(valid), headers: [("Content-Type", "application/json"), ("Idempotency-Key", String(repeating: "a" + String(repeating: "\u{0301}", count: 12), count: 255))]),
            authorize("Idempotency-Key with a space", json(valid), headers: [("Content-Type", "application/json"), ("Idempotency-Key", "order 42")]),
            authorize("Prefer garbage with a bad body", json("{}"), headers: [("Content-Type", "application/json"), ("Prefer", "wait=1e308, wait=-1, wait=NaN")]),
            authorize("Prefer negative with a bad body", json("[]"), headers: [("Content-Type", "application/json"), ("Prefer", "wait=-5")]),
            authorize("huge Authorization", json(valid), headers: [("Content-Type", "application/json"), ("Authorization", "Bearer " + String(repeating: "a", count: 20_000))]),
            authorize("Basic auth", json(valid), headers: [("Content-Type", "application/json"), ("Authorization", "Basic dXNlcjpwYXNz")]),
            authorize("many headers", json("{}"), headers: [("Content-Type", "application/json")] + (0..<300).map { ("X-Junk-\($0)", String(repeating: "v", count: 40)) }),
            Case(name: "a header over the parser's limit", method: "GET", path: "/payments/\(UUID().uuidString)",
                 headers: [("X-Huge", String(repeating: "h", count: 200_000))], problem: false),
            Case(name: "very long id", method: "GET", path: "/payments/" + String(repeating: "9", count: 4000)),
            Case(name: "percent-encoded id", method: "GET", path: "/payments/%00%2F..%2Fetc%2Fpasswd"),
            Case(name: "unicode id", method: "GET", path: "/payments/%F0%9F%92%B3-\u{0441}"),
            Case(name: "dot-dot id", method: "GET", path: "/payments/.."),
            Case(name: "upper-case-ish id", method: "GET", path: "/refunds/ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ"),
            Case(name: "long id on capture", method: "POST", path: "/payments/\(String(repeating: "a", count: 5000))/capture", body: json("{}")),
            Case(name: "unknown id on refund", method: "POST", path: "/payments/\(UUID().uuidString)/refunds", body: json("{}")),
            Case(name: "capture huge amount", method: "POST", path: "/payments/{id}/capture", body: json(#"{"amount":99999999999999999999999}"#)),
            Case(name: "capture negative amount", method: "POST", path: "/payments/{id}/capture", body: json(#"{"amount":-1}"#)),
            Case(name: "capture fractional amount", method: "POST", path: "/payments/{id}/capture", body: json(#"{"amount":10.5}"#)),
            Case(name: "capture unknown field", method: "POST", path: "/payments/{id}/capture", body: json(#"{"amount":1,"force":true}"#)),
            Case(name: "capture deep body", method: "POST", path: "/payments/{id}/capture", body: json(String(repeating: "[", count: 10_000))),
            Case(name: "capture text/plain", method: "POST", path: "/payments/{id}/capture", headers: [("Content-Type", "text/plain")], body: json("{}")),
            Case(name: "void with a body", method: "POST", path: "/payments/{id}/void", body: json(#"{"now":true}"#)),
            Case(name: "refund bad reason", method: "POST", path: "/payments/{id}/refunds", body: json(#"{"reason":"because"}"#)),
            Case(name: "refund long key", method: "POST", path: "/payments/{id}/refunds",
                 headers: [("Content-Type", "application/json"), ("Idempotency-Key", String(repeating: "r", count: 300))], body: json("{}")),
            Case(name: "refund duplicate keys", method: "POST", path: "/payments/{id}/refunds", body: json(#"{"amount":1,"amount":2}"#)),
            Case(name: "list with a long cart id", method: "GET", path: "/payments?cartId=" + String(repeating: "c", count: 3000)),
            Case(name: "list with two cart ids", method: "GET", path: "/payments?cartId=x&cartId=y"),
            Case(name: "events limit huge", method: "GET", path: "/events?limit=99999999999999999999999"),
            Case(name: "events limit negative", method: "GET", path: "/events?limit=-1"),
            Case(name: "events after garbage", method: "GET", path: "/events?after=%00%FF"),
            Case(name: "stream Last-Event-ID garbage", method: "GET", path: "/events/stream", headers: [("Last-Event-ID", "1-2-3-x")]),
            Case(name: "a DEL byte in a header", method: "GET", path: "/events/stream", headers: [("Last-Event-ID", "1-2\u{7f}")], problem: false),
            Case(name: "webhook unsigned", method: "POST", path: "/webhooks/stripe", body: json(#"{"id":"evt_1"}"#)),
            Case(name: "webhook over 512 KiB", method: "POST", path: "/webhooks/stripe", body: [UInt8](repeating: 0x20, count: 600_000)),
            Case(name: "webhook huge signature", method: "POST", path: "/webhooks/stripe",
                 headers: [("Content-Type", "application/json"), ("Stripe-Signature", "t=1," + String(repeating: "v1=ab,", count: 3000))], body: json("{}")),
            Case(name: "webhook signature of garbage", method: "POST", path: "/webhooks/stripe",
                 headers: [("Stripe-Signature", "t=99999999999999999999999,v1=zz")], body: json("{}")),
            Case(name: "method not allowed", method: "DELETE", path: "/payments/{id}", headers: []),
            Case(name: "unknown route", method: "PATCH", path: "/payments/authorize", body: json("{}")),
        ]
    }

    @Test("every case: a 4xx problem, no 5xx, the process alive, no row written")
    func table() async throws {
        try await Stack.withService(webhooks: false) { stack, service in
            let api = stack.client(service)
            let created = try await api.post("/payments/authorize", json: authorizeBody(), headers: [("Prefer", "wait=5")])
            #expect(created.string("status") == "AUTHORIZED")
            let id = created.string("paymentId") ?? ""
            let before = try await RowCounts.read(stack.database)
            for hostile in Self.cases() {
                let answer: APIClient.Answer
                do {
                    answer = try await api.send(hostile.method, hostile.path.replacingOccurrences(of: "{id}", with: id), body: hostile.body, headers: hostile.headers)
                } catch {
                    Issue.record("\(hostile.name): no answer (\(error))")
                    continue
                }
                #expect((400..<500).contains(answer.status), "\(hostile.name): \(answer.status) \(answer.text.prefix(200))")
                if hostile.problem {
                    #expect(answer.headers["content-type"] == "application/problem+json", "\(hostile.name): \(answer.headers)")
                    #expect(answer.int("status") == answer.status, "\(hostile.name): \(answer.text.prefix(200))")
                }
                #expect(try await stack.client(service, token: nil).get("/health/live").status == 200, "\(hostile.name) hurt the process")
            }
            #expect(try await RowCounts.read(stack.database) == before)
            #expect(!service.log().contains("unhandled error"))
        }
    }
}

/// Rows of every table a request can write, for "nothing written" checks.
struct RowCounts: Equatable {
    var counts: [String: String]

    static func read(_ database: TestDatabase) async throws -> RowCounts {
        var counts: [String: String] = [:]
        for table in ["payments", "operations", "refunds", "idempotency_keys", "webhook_events", "events"] {
            counts[table] = try await database.scalar("SELECT count(*) FROM \(unescaped: table)")
        }
        return RowCounts(counts: counts)
    }
}
