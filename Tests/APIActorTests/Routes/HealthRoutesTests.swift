import Foundation
import Testing
import TestSupport
@testable import APIActor

/// `GET /health/live` and `GET /health/ready`, open routes, through the real router.
@Suite("Health routes", .serialized)
struct HealthRoutesTests {
    @Test("live and ready are 200 without a token; ready says where the processor stands")
    func liveAndReady() async throws {
        try await RouteBed.run(RouteBed.configuration(processorStatus: { "credentials_refused" })) { bed in
            let live = try await bed.get("/health/live", token: nil)
            #expect(live.status == 200)
            #expect(live.contentType == "application/json")
            #expect(live.string("status") == "live")
            let ready = try await bed.get("/health/ready", token: nil)
            #expect(ready.status == 200)
            #expect(ready.string("status") == "ready")
            #expect(ready.string("processor") == "credentials_refused")
            #expect(try await bed.get("/health/ready", token: "not-a-token").status == 200)
            try await bed.send(.post, "/health/live", token: nil).expectProblem(405)
            try RouteBed.expectDocumented([live.documented("GET", "/health/live"), ready.documented("GET", "/health/ready")])
        }
    }

    @Test("ready is a 503 problem with Retry-After when the database is unreachable or not migrated; live stays 200")
    func notReady() async throws {
        try await RouteFixtures.withClient(RouteFixtures.routes().router) { client in
            let answer = RouteAnswer(try await client.executeRequest(uri: "/health/ready", method: .get, headers: [:], body: nil))
            answer.expectProblem(503)
            #expect(answer.headers[.retryAfter] == "2")
            #expect(try await client.executeRequest(uri: "/health/live", method: .get, headers: [:], body: nil).status == .ok)
            try RouteBed.expectDocumented("GET", "/health/ready", [answer])
        }
        try await RouteBed.run { bed in
            _ = try await bed.db.column("DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)")
            try await bed.get("/health/ready", token: nil).expectProblem(503)
        }
    }
}
