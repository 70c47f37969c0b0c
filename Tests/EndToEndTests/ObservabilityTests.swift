import Foundation
import Testing
import TestSupport

/// Request ids and `/metrics`, through the real binary.
@Suite("Observability, end to end")
struct ObservabilityTests {
    @Test("a sane X-Request-Id is kept and echoed and logged; a hostile one is replaced; every answer has one")
    func requestIds() async throws {
        try await Stack.withService(extra: ["LOG_LEVEL": "debug", "LOG_FORMAT": "json"]) { stack, service in
            let api = stack.client(service)
            let kept = try await api.post("/payments/authorize", json: authorizeBody(), headers: [("X-Request-Id", "checkout-42.a:b_c")])
            #expect(kept.status == 201)
            #expect(kept.headers["x-request-id"] == "checkout-42.a:b_c")
            for hostile in ["a b", String(repeating: "x", count: 129), "id\"},{\"level\":\"critical", "ü"] {
                let answer = try await api.get("/payments/\(UUID().uuidString)", headers: [("X-Request-Id", hostile)])
                #expect(answer.status == 404)
                let id = answer.headers["x-request-id"] ?? ""
                #expect(id != hostile && id.count == 36, "\(id)")
            }
            let missing = try await stack.client(service, token: nil).get("/payments/x")
            #expect(missing.status == 401 && missing.headers["x-request-id"]?.isEmpty == false)
            try await Task.sleep(for: .milliseconds(200))
            let lines = (try String(contentsOf: service.logFile, encoding: .utf8)).split(separator: "\n")
            #expect(lines.contains { $0.contains("\"request_id\":\"checkout-42.a:b_c\"") && $0.contains("\"route\":\"/payments/authorize\"") })
            #expect(!lines.contains { $0.contains("\"level\":\"critical\"") })
        }
    }

    @Test("ROLE=api and ROLE=worker apart: the worker serves health, metrics and the document only, and settles the payment")
    func rolesApart() async throws {
        try await Stack.withStack { stack in
            let api = try await ServiceProcess.start(environment: stack.environment(role: "api"))
            let worker = try await ServiceProcess.start(environment: stack.environment(role: "worker"))
            defer {
                api.terminate()
                worker.terminate()
            }
            let created = try await stack.client(api).post("/payments/authorize", json: authorizeBody())
            #expect(created.status == 201)
            let settled = try await stack.awaitSettled(stack.client(api), paymentId: created.string("paymentId") ?? "")
            #expect(settled.string("status") == "AUTHORIZED")
            let open = stack.client(worker, token: nil)
            #expect(try await open.get("/health/live").status == 200)
            #expect(try await open.get("/health/ready").status == 200)
            #expect(try await open.get("/openapi.json").status == 200)
            let scrape = try await open.get("/metrics")
            #expect(scrape.text.contains(#"payment_transitions_total{to="AUTHORIZED"} 1"#), "\(scrape.text)")
            #expect(scrape.text.contains("stripe_calls_total"))
            let intake = try await stack.client(worker).post("/payments/authorize", json: authorizeBody())
            #expect(intake.status == 404 && intake.headers["content-type"] == "application/problem+json")
        }
    }

    @Test("/metrics: HTTP by route pattern and status, transitions, processor calls, queue and pool; open without a token")
    func metrics() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            let created = try await api.post("/payments/authorize", json: authorizeBody(), headers: [("Prefer", "wait=5")])
            #expect(created.string("status") == "AUTHORIZED")
            let id = created.string("paymentId") ?? ""
            _ = try await api.post("/payments/\(id)/capture", json: nil, headers: [("Prefer", "wait=5")])
            _ = try await api.get("/payments/\(UUID().uuidString)")
            _ = try await api.get("/no/such/path/\(UUID().uuidString)")
            let scrape = try await stack.client(service, token: nil).get("/metrics")
            #expect(scrape.status == 200)
            #expect(scrape.headers["content-type"]?.hasPrefix("text/plain") == true)
            let text = scrape.text
            for expected in [
                #"http_requests_total{method="POST",route="/payments/authorize",status="201"} 1"#,
                #"http_requests_total{method="GET",route="/payments/{id}",status="404"} 1"#,
                #"http_request_duration_seconds_bucket{method="POST",route="/payments/authorize",status="201",le="+Inf"} 1"#,
                #"payment_transitions_total{to="REQUESTED"} 1"#,
                #"payment_transitions_total{to="AUTHORIZED"} 1"#,
                #"payment_transitions_total{to="CAPTURED"} 1"#,
                #"stripe_calls_total{operation="POST /v1/payment_intents/{id}/confirm",outcome="success"} 1"#,
                #"stripe_call_duration_seconds_count{operation="POST /v1/payment_intents/{id}/capture",outcome="success"} 1"#,
                "payment_operations_queued ", "payment_operations_oldest_age_seconds ", "refunds_pending_at_processor ",
                "db_pool_connections 8", "db_pool_connections_in_use ",
            ] {
                #expect(text.contains(expected), "missing \(expected)")
            }
            #expect(!text.contains(id), "a raw payment id became a label")
            #expect(!text.contains("/no/such/path"), "a raw path became a label")
        }
    }
}
