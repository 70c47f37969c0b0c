import Foundation
import Testing
@testable import APIActor

/// The README's table of endpoint × scope is normative: it must say what the router enforces and what the OpenAPI
/// document's `x-required-scope` says, route for route.
@Suite("Scope table: README, router and OpenAPI agree")
struct ScopeTableTests {
    @Test("every protected route's scope is the README's, and every README row is a route")
    func readmeMatchesTheRouter() throws {
        let readme = try ScopeTable.readme()
        var router: [String: Scope] = [:]
        for (route, access) in RouteFixtures.routes().access {
            guard case .requires(let scope) = access else { continue }
            router[ScopeTable.normalized(route)] = scope
        }
        #expect(router.count >= 15)
        #expect(readme == router, "README \(readme.sorted { $0.key < $1.key }) vs router \(router.sorted { $0.key < $1.key })")
    }

    @Test("every protected operation of openapi.json names the router's scope in x-required-scope, and documents 403")
    func documentMatchesTheRouter() throws {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
        var documented: [String: Scope] = [:]
        for (path, item) in paths {
            for (method, operation) in item where operation["security"] != nil {
                let scope = try #require((operation["x-required-scope"] as? String).flatMap(Scope.init(rawValue:)), "\(method) \(path)")
                documented[ScopeTable.normalized("\(method.uppercased()) \(path)")] = scope
                #expect((operation["responses"] as? [String: Any])?["403"] != nil, "\(method) \(path) documents no 403")
            }
        }
        let readme = try ScopeTable.readme()
        #expect(documented == readme)
    }
}

@Suite("Credentials: the PAYMENT_API_TOKENS entries")
struct CredentialsTests {
    @Test("name:scope+scope:secret is named; the secret keeps its own colons")
    func named() throws {
        let credentials = try Credentials(parsing: ["ordering:authorize+read+events:s3:cr:3t", "ops:admin:x"])
        #expect(credentials.names == ["ordering", "ops"])
        let ordering = try #require(credentials.matching(Array("s3:cr:3t".utf8)))
        #expect(ordering.scopes == [.authorize, .read, .events])
        #expect((ordering.actor, ordering.idempotencyScope) == ("ordering", "ordering"))
        #expect(credentials.matching(Array("ordering:authorize+read+events:s3:cr:3t".utf8)) == nil)
        #expect(try #require(credentials.matching(Array("x".utf8))).scopes.grants(.refund))
    }

    @Test("anything else is a plain token with every scope, scoped by its digest as before", arguments: [
        "plain", "a:b", "a:B+c:d", "a:read-only:d", "a:read+:d", "a::d", ":read", "x:1:y",
    ])
    func plain(_ entry: String) throws {
        let credential = try #require(try Credentials(parsing: [entry]).matching(Array(entry.utf8)))
        #expect(credential.scopes == Set(Scope.allCases))
        #expect(credential.idempotencyScope == CallerScope.of(token: entry))
        #expect(credential.actor.hasPrefix("token:") && credential.actor.count == 14)
    }

    @Test("a duplicate name, an unknown scope, an empty secret or a bad name stops the start, naming no secret", arguments: [
        ["a:read:one", "a:admin:two"], ["a:reed:one"], ["a:read:"], ["has space:read:one"], [":read:one"],
        ["0123456789abcdef0123456789ABCDEF:read:one"], ["shared:read:one"], ["reconciliation:admin:one"], ["processor:read:one"],
        ["ro:read:one", "one"], ["Xy7Qk:abc:one"],
    ])
    func refused(_ entries: [String]) {
        #expect(throws: CredentialError.self) { try Credentials(parsing: entries) }
        do {
            _ = try Credentials(parsing: entries)
        } catch {
            #expect(!error.description.contains("one") && !error.description.contains("two") && !error.description.contains("Xy7Qk"),
                "\(error.description)")
        }
    }
}
