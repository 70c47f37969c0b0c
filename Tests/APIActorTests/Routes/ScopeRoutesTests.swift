import Crypto
import Foundation
import HTTPTypes
import Payments
import Support
import Testing
@testable import APIActor

/// Each endpoint × each scope: 403 naming the scope exactly when the credential lacks it; otherwise the route's
/// own answer. The expected scope of each route is the README's normative table (`ScopeTableTests` holds the
/// table to the router and the OpenAPI document).
@Suite("Scopes: each endpoint × each scope")
struct ScopeRoutesTests {
    static let perScope = Scope.allCases.map { "only-\($0.rawValue):\($0.rawValue):secret-\($0.rawValue)" }
    static let ordering = "ordering:authorize+read+events:secret-ordering"
    static var tokens: [String] { [RouteBed.token, ordering] + perScope }

    /// A request on one route, with the answer a credential holding its scope gets.
    struct Call: Sendable {
        var route: String
        var method: HTTPRequest.Method
        var path: String
        var json: String?
        var granted: Set<Int>
    }

    static func calls(payment: String, cart: String, refund: String) -> [Call] {
        [
            Call(route: "POST /payments/authorize", method: .post, path: "/payments/authorize", json: nil, granted: [201]),
            Call(route: "GET /payments/{id}", method: .get, path: "/payments/\(payment)", granted: [200]),
            Call(route: "GET /payments", method: .get, path: "/payments?cartId=\(cart)", granted: [200]),
            Call(route: "POST /payments/{id}/capture", method: .post, path: "/payments/\(payment)/capture", json: "{}", granted: [200]),
            Call(route: "POST /payments/{id}/void", method: .post, path: "/payments/\(payment)/void", json: "{}", granted: [409]),
            Call(route: "POST /payments/{id}/refunds", method: .post, path: "/payments/\(payment)/refunds", json: #"{"amount":1}"#, granted: [201]),
            Call(route: "GET /payments/{id}/refunds", method: .get, path: "/payments/\(payment)/refunds", granted: [200]),
            Call(route: "GET /refunds/{id}", method: .get, path: "/refunds/\(refund)", granted: [200]),
            Call(route: "GET /payments/{id}/disputes", method: .get, path: "/payments/\(payment)/disputes", granted: [200]),
            Call(route: "GET /disputes/{id}", method: .get, path: "/disputes/\(RouteBed.newId())", granted: [404]),
            Call(route: "GET /events", method: .get, path: "/events", granted: [200]),
            Call(route: "GET /reconciliation/runs", method: .get, path: "/reconciliation/runs", granted: [200]),
            Call(route: "GET /reconciliation/runs/{id}", method: .get, path: "/reconciliation/runs/\(RouteBed.newId())", granted: [404]),
            Call(route: "GET /audit", method: .get, path: "/audit?subject=\(payment)", granted: [200]),
        ]
    }

    @Test("every protected route × every scope: the route's answer with the scope (or admin), 403 naming it without")
    func endpointByScope() async throws {
        try await RouteBed.run(RouteBed.configuration(tokens: Self.tokens)) { bed in
            let cart = RouteBed.newId()
            let payment = try await bed.authorize(cart: cart, amount: 5000)
            try await bed.settle(payment, as: .captured, captured: 5000)
            let refund = try #require(try await bed.post("/payments/\(payment)/refunds", json: #"{"amount":1}"#).string("refundId"))
            let expected = try ScopeTable.readme()
            for call in Self.calls(payment: payment, cart: cart, refund: refund) {
                let needed = try #require(expected[call.route], "\(call.route) is not in the README's table")
                for scope in Scope.allCases {
                    let json = call.route == "POST /payments/authorize" ? RouteBed.command() : call.json
                    let answer = try await bed.send(call.method, call.path, json: json, token: "secret-\(scope.rawValue)")
                    if scope == needed || scope == .admin {
                        #expect(call.granted.contains(answer.status), "\(call.route) with \(scope) → \(answer.status) \(answer.text)")
                    } else {
                        answer.expectProblem(403)
                        #expect(answer.string("detail") == "this credential lacks the scope \(needed.rawValue)", "\(call.route) with \(scope)")
                        #expect(answer.headers[.wwwAuthenticate] == "Bearer error=\"insufficient_scope\", scope=\"\(needed.rawValue)\"")
                    }
                }
            }
        }
    }

    @Test("GET /payments: cartId alone needs read; any other parameter needs admin, and is a 403 before it is read")
    func listFiltersNeedAdmin() async throws {
        try await RouteBed.run(RouteBed.configuration(tokens: Self.tokens)) { bed in
            let cart = RouteBed.newId()
            #expect(try await bed.get("/payments?cartId=\(cart)", token: "secret-ordering").status == 200)
            try await bed.get("/payments", token: "secret-ordering").expectProblem(400, naming: "cartId")
            let everything = try await bed.get("/payments", token: "secret-admin")
            #expect(everything.status == 200 && everything.object["next"] is NSNull, "\(everything.text)")
            for query in ["cartId=\(cart)&status=AUTHORIZED", "status=AUTHORIZED", "limit=not-a-number", "cartId=\(cart)&x=1"] {
                let answer = try await bed.get("/payments?\(query)", token: "secret-ordering")
                answer.expectProblem(403)
                #expect(answer.string("detail") == "this credential lacks the scope admin", "\(query)")
            }
        }
    }

    @Test("the check order is 401, then 403, then the route's own 404 and 400")
    func checkOrder() async throws {
        try await RouteBed.run(RouteBed.configuration(tokens: Self.tokens)) { bed in
            let unknown = "/payments/\(RouteBed.newId())/capture"
            try await bed.post(unknown, json: "{}", token: nil).expectProblem(401)
            try await bed.post(unknown, json: "{}", token: "wrong").expectProblem(401)
            try await bed.post(unknown, json: #"{"amount":"x"}"#, token: "secret-read").expectProblem(403)
            try await bed.post("/payments/not-a-uuid/capture", json: "{}", token: "secret-read").expectProblem(403)
            try await bed.post(unknown, json: "{}", token: "secret-capture").expectProblem(404)
            try await bed.post("/payments/authorize", json: "{}", token: "secret-read").expectProblem(403)
            try await bed.post("/payments/authorize", json: "{}", token: "secret-authorize").expectProblem(400)
        }
    }

    @Test("a denied write changes nothing")
    func deniedWriteChangesNothing() async throws {
        try await RouteBed.run(RouteBed.configuration(tokens: Self.tokens)) { bed in
            let payment = try await bed.authorize()
            try await bed.settle(payment, as: .authorized)
            try await bed.post("/payments/\(payment)/capture", json: "{}", token: "secret-void").expectProblem(403)
            try await bed.post("/payments/\(payment)/void", json: "{}", token: "secret-capture").expectProblem(403)
            try await bed.post("/payments/\(payment)/refunds", json: "{}", token: "secret-capture").expectProblem(403)
            try await bed.post("/payments/authorize", json: RouteBed.command(), token: "secret-refund").expectProblem(403)
            let operations = try await bed.db.scalar("SELECT count(*) FROM operations WHERE payment_id = \(payment)::uuid")
            #expect(operations == "1")
            #expect(try await bed.db.scalar("SELECT count(*) FROM payments") == "1")
            #expect(try await bed.db.scalar("SELECT count(*) FROM audit_log WHERE action <> 'authorize'") == "0")
        }
    }

    @Test("a plain token still has every scope, with its digest as its idempotency scope")
    func plainTokenKeepsEveryScope() async throws {
        try await RouteBed.run(RouteBed.configuration(tokens: Self.tokens)) { bed in
            let payment = try await bed.authorize()
            #expect(try await bed.get("/audit?subject=\(payment)").status == 200)
            #expect(try await bed.get("/reconciliation/runs").status == 200)
            let digest = Hex.encode(SHA256.hash(data: Array(RouteBed.token.utf8)).prefix(4))
            #expect(try await bed.get("/payments/\(payment)").string("createdBy") == "token:\(digest)")
        }
    }
}

/// The README's table of endpoint × scope, between its `scopes:begin` and `scopes:end` markers.
enum ScopeTable {
    static func readme() throws -> [String: Scope] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../README.md").standardized
        let text = try String(contentsOf: url, encoding: .utf8)
        let begin = try #require(text.range(of: "<!-- scopes:begin -->"))
        let end = try #require(text.range(of: "<!-- scopes:end -->"))
        var table: [String: Scope] = [:]
        for line in text[begin.upperBound..<end.lowerBound].split(separator: "\n") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 2, let scope = cells[1].firstMatch(of: /^`(\w+)`/).flatMap({ Scope(rawValue: String($0.1)) }) else { continue }
            guard let route = cells[0].firstMatch(of: /^`(\w+) ([^`?]+)/) else { continue }
            table[normalized("\(route.1) \(route.2)")] = scope
        }
        return table
    }

    /// `GET /payments/:id` and `GET /payments/{paymentId}` as `GET /payments/{id}`.
    static func normalized(_ route: String) -> String {
        route.replacing(/:\w+/, with: "{id}").replacing(/\{\w+\}/, with: "{id}")
    }
}
