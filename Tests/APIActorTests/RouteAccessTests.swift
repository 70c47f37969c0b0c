import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import APIActor

/// Authentication is decided by the route a request resolved to, never by the text of its path.
@Suite("Route access: open and protected routes, 401, 405 and 404")
struct RouteAccessTests {
    static let open: Set<String> = [
        "GET /health/live", "GET /health/ready", "GET /metrics", "GET /openapi.json", "POST /webhooks/stripe",
    ]

    @Test("every route the router holds was registered as open or protected, and only the documented ones are open")
    func everyRouteSaysItsAccess() {
        let routes = RouteFixtures.routes()
        let table = routes.access
        let registered = routes.router.routes.map { RouteTable.key($0.method, $0.path) }
        #expect(registered.count == table.count)
        for route in registered { #expect(table[route] != nil, "\(route) was added to the router without saying its access") }
        #expect(Set(table.filter { $0.value == .open }.keys) == Self.open)
    }

    @Test("a route added straight to the router is caught")
    func strayRouteIsCaught() {
        let routes = RouteFixtures.routes()
        routes.router.get("stray") { _, _ in "x" }
        let table = routes.access
        #expect(routes.router.routes.contains { table[RouteTable.key($0.method, $0.path)] == nil })
    }

    /// Spellings that resolve to the same route (the router drops empty segments) must meet its bearer check.
    static func resolving(_ path: String) -> [String] {
        let inner = path.replacingOccurrences(of: "/", with: "//", options: [], range: path.index(after: path.startIndex)..<path.endIndex)
        return [path, "/" + path, inner, path + "/", "//" + path.dropFirst() + "//"]
    }

    /// Spellings that must not reach any handler: answered 401 (when they resolve) or 404, nothing else.
    static func foreign(_ path: String) -> [String] {
        let first = path.dropFirst().prefix(1)
        let encoded = "/%" + String(format: "%02X", Int(first.utf8.first!)) + path.dropFirst(2)
        return [encoded, "/." + path, "/x/.." + path, path.replacingOccurrences(of: "/", with: "/./"), path + ";x",
                path.replacingOccurrences(of: "/", with: ";/"), path.uppercased(), path + "%2F", path + "?x=1#y"]
    }

    @Test("without a token every protected route answers 401 in every spelling that resolves to it, for every method")
    func protectedRoutesNeedATokenInEverySpelling() async throws {
        let routes = RouteFixtures.routes()
        let methods: [HTTPRequest.Method] = [.get, .post, .put, .delete, .patch, .head, .options, HTTPRequest.Method("PURGE")!]
        let paths = routes.paths
        try await RouteFixtures.withClient(routes.router) { client in
            for entry in paths where !entry.isOpen {
                let path = RouteFixtures.concrete(entry.path)
                for spelling in Self.resolving(path) {
                    for method in methods {
                        let status = try await client.execute(uri: spelling, method: method) { $0.status }
                        #expect(status == .unauthorized, "\(method) \(spelling) → \(status)")
                    }
                }
                for spelling in Self.foreign(path) {
                    let status = try await client.execute(uri: spelling, method: entry.methods[0].method) { $0.status }
                    #expect(status == .unauthorized || status == .notFound, "\(entry.methods[0].method) \(spelling) → \(status)")
                }
            }
        }
    }

    @Test("open routes need no token")
    func openRoutesAreOpen() async throws {
        let routes = RouteFixtures.routes()
        try await RouteFixtures.withClient(routes.router) { client in
            for path in ["/health/live", "//health/live", "/openapi.json", "/metrics"] {
                let status = try await client.execute(uri: path, method: .get) { $0.status }
                #expect(status == .ok, "\(path)")
            }
            // The webhook stays signature-checked: no Stripe-Signature is a 400, not a 401.
            let webhook = try await client.execute(uri: "/webhooks/stripe", method: .post, body: ByteBuffer(string: "{}")) { $0.status }
            #expect(webhook == .badRequest)
        }
    }

    @Test("with a valid token a method the route lacks answers 405 with Allow listing exactly its methods")
    func methodNotAllowed() async throws {
        let routes = RouteFixtures.routes()
        let paths = routes.paths
        try await RouteFixtures.withClient(routes.router) { client in
            for entry in paths {
                let path = RouteFixtures.concrete(entry.path)
                let allowed = Set(entry.methods.map(\.method.rawValue))
                for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch, HTTPRequest.Method("PURGE")!]
                where !allowed.contains(method.rawValue) {
                    try await client.execute(uri: "/" + path, method: method, headers: RouteFixtures.bearer("Bearer \(RouteFixtures.token)")) {
                        #expect($0.status == .methodNotAllowed, "\(method) \(path) → \($0.status)")
                        #expect(Set(($0.headers[.allow] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) == allowed)
                        #expect($0.headers[.contentType] == "application/problem+json")
                    }
                }
            }
        }
    }

    @Test("a path that resolves to no route is a 404 problem, with or without a token")
    func unknownPath() async throws {
        let routes = RouteFixtures.routes()
        try await RouteFixtures.withClient(routes.router) { client in
            for headers in [HTTPFields(), RouteFixtures.bearer("Bearer \(RouteFixtures.token)")] {
                for path in ["/nothing", "/payments/a/b/c", "/PAYMENTS/authorize", "/%70ayments/authorize"] {
                    try await client.execute(uri: path, method: .post, headers: headers) {
                        #expect($0.status == .notFound, "\(path) → \($0.status)")
                        #expect($0.headers[.contentType] == "application/problem+json")
                    }
                }
            }
        }
    }

    @Test("the scheme name is case-insensitive; any other scheme or an unknown token is a 401")
    func schemes() async throws {
        let routes = RouteFixtures.routes()
        try await RouteFixtures.withClient(routes.router) { client in
            // A 405 shows the bearer check passed without reaching a handler (and so without a database).
            for header in ["Bearer \(RouteFixtures.token)", "bearer \(RouteFixtures.token)", "BEARER  \(RouteFixtures.token)"] {
                let status = try await client.execute(uri: "/payments/authorize", method: .put, headers: RouteFixtures.bearer(header)) { $0.status }
                #expect(status == .methodNotAllowed, "\(header)")
            }
            let basic = "Basic " + Data("u:\(RouteFixtures.token)".utf8).base64EncodedString()
            for header in [basic, "Token \(RouteFixtures.token)", "Bearer", "Bearer ", "Bearer wrong", "Bearer\(RouteFixtures.token)", RouteFixtures.token] {
                let status = try await client.execute(uri: "/payments/authorize", method: .put, headers: RouteFixtures.bearer(header)) { $0.status }
                #expect(status == .unauthorized, "\(header)")
            }
        }
    }

    @Test("a 401 says which scheme it asks for")
    func challenge() async throws {
        let routes = RouteFixtures.routes()
        try await RouteFixtures.withClient(routes.router) { client in
            for headers in [HTTPFields(), RouteFixtures.bearer("Bearer wrong")] {
                try await client.execute(uri: "/payments/authorize", method: .post, headers: headers) {
                    #expect($0.status == .unauthorized)
                    #expect($0.headers[.wwwAuthenticate] == "Bearer")
                }
            }
        }
    }

    @Test("the idempotency scope is the matched token's digest, whatever the header's spelling")
    func scopeIsTheMatchedTokensDigest() async throws {
        let routes = RouteTable(router: PaymentAPI.baseRouter(), credentials: try Credentials(parsing: ["alpha", "beta"]))
        routes.get("scope", .requires(.read)) { _, context in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: context.callerScope))) }
        routes.finish()
        try await RouteFixtures.withClient(routes.router) { client in
            var scopes: [String: Set<String>] = [:]
            for token in ["alpha", "beta"] {
                for header in ["Bearer \(token)", "bearer \(token)", "BeArEr   \(token)"] {
                    let scope = try await client.execute(uri: "/scope", method: .get, headers: RouteFixtures.bearer(header)) { String(buffer: $0.body) }
                    scopes[token, default: []].insert(scope)
                }
            }
            #expect(scopes["alpha"]?.count == 1)
            #expect(scopes["beta"]?.count == 1)
            #expect(scopes["alpha"] != scopes["beta"])
            #expect(scopes["alpha"]?.first == CallerScope.of(token: "alpha"))
            #expect(scopes["alpha"]?.first != CallerScope.shared)
        }
    }

    @Test("with authentication off every caller shares one scope")
    func sharedScopeWhenOff() async throws {
        let routes = RouteTable(router: PaymentAPI.baseRouter(), credentials: .none)
        routes.get("scope", .requires(.read)) { _, context in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: context.callerScope))) }
        routes.finish()
        try await RouteFixtures.withClient(routes.router) { client in
            for header in ["Bearer a", "Bearer b", ""] {
                let scope = try await client.execute(uri: "/scope", method: .get, headers: header.isEmpty ? [:] : RouteFixtures.bearer(header)) { String(buffer: $0.body) }
                #expect(scope == CallerScope.shared)
            }
        }
    }
}
