import Foundation
import Testing
import TestSupport
@testable import APIActor

/// `GET /metrics`, an open route, through the real router.
@Suite("Metrics route", .serialized)
struct MetricsRoutesTests {
    @Test("the Prometheus text the backend renders, as text/plain, without a token")
    func metrics() async throws {
        let text = "# TYPE payments_test counter\npayments_test 3\n"
        try await RouteBed.run(RouteBed.configuration(metrics: { Array(text.utf8) })) { bed in
            let metrics = try await bed.get("/metrics", token: nil)
            #expect(metrics.status == 200)
            #expect(metrics.contentType == "text/plain; version=0.0.4; charset=utf-8")
            #expect(metrics.text == text)
            #expect(try await bed.get("/metrics").text == text)
            try await bed.send(.post, "/metrics", token: nil).expectProblem(405)
            try RouteBed.expectDocumented("GET", "/metrics", [metrics])
        }
    }
}
