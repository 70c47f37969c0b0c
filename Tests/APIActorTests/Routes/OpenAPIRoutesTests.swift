import Foundation
import Testing
import TestSupport
@testable import APIActor

/// `GET /openapi.json`, an open route, through the real router.
@Suite("OpenAPI route", .serialized)
struct OpenAPIRoutesTests {
    @Test("the document is served as application/json, byte for byte openapi.json, without a token")
    func document() async throws {
        try await RouteBed.run { bed in
            let document = try await bed.get("/openapi.json", token: nil)
            #expect(document.status == 200)
            #expect(document.contentType == "application/json")
            #expect(document.body == Array(try Data(contentsOf: OpenAPISchemaCheck.document)))
            #expect(try await bed.get("/openapi.json").status == 200)
            try await bed.send(.put, "/openapi.json", token: nil).expectProblem(405)
            try RouteBed.expectDocumented("GET", "/openapi.json", [document])
        }
    }
}
