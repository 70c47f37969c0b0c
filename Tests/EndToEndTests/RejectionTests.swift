import Foundation
import Testing
import TestSupport

/// Bad input gets a clear 4xx problem and changes nothing.
@Suite("Rejections, end to end")
struct RejectionTests {
    static let badBodies: [(body: String, pointer: String)] = [
        (#"{"amount":100,"currency":"USD"}"#, "/cartId"),
        (#"{"cartId":"not-a-uuid","amount":100,"currency":"USD"}"#, "/cartId"),
        (authorizeBody(amount: 0), "/amount"),
        (authorizeBody(amount: 100_000_000), "/amount"),
        (#"{"cartId":"6b1f2a4e-8a0c-4a8e-9a51-0d6f1c9d2b11","amount":1.5,"currency":"USD"}"#, "/amount"),
        (#"{"cartId":"6b1f2a4e-8a0c-4a8e-9a51-0d6f1c9d2b11","amount":"100","currency":"USD"}"#, "/amount"),
        (authorizeBody(currency: "usd"), "/currency"),
        (authorizeBody(currency: "XYZ"), "/currency"),
        (authorizeBody(paymentMethod: "card_123"), "/paymentMethod"),
        (authorizeBody(capture: "later"), "/capture"),
        (authorizeBody(extra: #""tip":5"#), "/tip"),
        (authorizeBody(extra: #""metadata":{"order_id":"x"}"#), "/metadata/order_id"),
        (authorizeBody(extra: #""metadata":{"k":1}"#), "/metadata/k"),
        (#"{"cartId":"6b1f2a4e-8a0c-4a8e-9a51-0d6f1c9d2b11","cartId":"6b1f2a4e-8a0c-4a8e-9a51-0d6f1c9d2b12","amount":100,"currency":"USD"}"#, "/cartId"),
        ("[1,2,3]", ""),
        ("{\"cartId\":", ""),
    ]

    @Test("every bad body is a 400 naming the field, and writes no row")
    func badBodies() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            for (body, pointer) in Self.badBodies {
                let answer = try await api.post("/payments/authorize", json: body)
                #expect(answer.status == 400, "\(body): \(answer.text)")
                #expect(answer.headers["content-type"] == "application/problem+json")
                let pointers = (answer.json["errors"] as? [[String: Any]])?.compactMap { $0["pointer"] as? String } ?? []
                #expect(pointers.contains(pointer), "\(body) → \(pointers)")
            }
            #expect(try await stack.database.scalar("SELECT count(*) FROM payments") == "0")
            #expect(try await stack.database.scalar("SELECT count(*) FROM operations") == "0")
        }
    }

    @Test("a path spelled with extra slashes meets the same bearer check over a real socket, and writes nothing")
    func slashSpellingsNeedAToken() async throws {
        try await Stack.withService { stack, service in
            let anonymous = stack.client(service, token: nil)
            for path in ["//payments/authorize", "/payments//authorize", "/payments/authorize/"] {
                #expect(try await anonymous.post(path, json: authorizeBody()).status == 401, "\(path)")
            }
            #expect(try await anonymous.get("//payments?cartId=\(UUID().uuidString)").status == 401)
            #expect(try await anonymous.get("//events").status == 401)
            #expect(try await anonymous.get("//refunds/\(UUID().uuidString)").status == 401)
            let put = try await stack.client(service).send("PUT", "/payments/authorize", body: nil, headers: [])
            #expect(put.status == 405)
            #expect(put.headers.first { $0.key.lowercased() == "allow" }?.value == "POST")
            #expect(try await stack.database.scalar("SELECT count(*) FROM payments") == "0")
        }
    }

    @Test("401 without a token, 415 for another media type, 413 over 16 KiB, 404 for an unknown payment")
    func statusCodes() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            let anonymous = stack.client(service, token: nil)
            #expect(try await anonymous.post("/payments/authorize", json: authorizeBody()).status == 401)
            #expect(try await stack.client(service, token: "wrong").get("/payments/\(UUID().uuidString)").status == 401)

            let text = try await api.send("POST", "/payments/authorize", body: Array(authorizeBody().utf8), headers: [("Content-Type", "text/plain")])
            #expect(text.status == 415)
            let huge = authorizeBody(extra: "\"metadata\":{\"k\":\"\(String(repeating: "x", count: 17_000))\"}")
            #expect(try await api.post("/payments/authorize", json: huge).status == 413)
            #expect(try await api.get("/payments/\(UUID().uuidString)").status == 404)
            #expect(try await api.get("/payments/not-a-uuid").status == 404)
            // No cartId: a plain token has every scope, so this is an admin's page of every payment (none yet).
            let everything = try await api.get("/payments")
            #expect(everything.status == 200 && (everything.json["payments"] as? [Any])?.isEmpty == true, "\(everything.text)")
            #expect(try await api.get("/payments?cartId=nope").status == 400)
            #expect(try await stack.database.scalar("SELECT count(*) FROM payments") == "0")
        }
    }
}
