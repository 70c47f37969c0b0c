import Foundation
import Testing
import TestSupport

/// Traces through the real binary into a stand-in collector: the caller's `traceparent` is honoured, the worker's
/// spans join the request's trace through `operations.traceparent` (across processes too), the intake's batch
/// links its requests, processor calls carry Stripe's `Request-Id` and the idempotency key, and log lines carry
/// their trace. With `OTEL_EXPORTER_OTLP_ENDPOINT` unset, nothing is traced or stored.
@Suite("Traces", .serialized)
struct TracingTests {
    static func callerTrace() -> (traceId: String, spanId: String, header: String) {
        let traceId = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let spanId = String(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))
        return (traceId, spanId, "00-\(traceId)-\(spanId)-01")
    }

    @Test("across processes: ROLE=api takes the request, ROLE=worker's spans join its trace")
    func twoProcesses() async throws {
        let receiver = try await OTLPReceiver.start()
        defer { Task { await receiver.stop() } }
        try await Stack.withStack { stack in
            let tracing = [
                "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer%20collector-key",
                "LOG_FORMAT": "json",
            ]
            let api = try await ServiceProcess.start(environment: stack.environment(role: "api", extra: tracing))
            let worker = try await ServiceProcess.start(environment: stack.environment(role: "worker", extra: tracing))
            defer {
                api.terminate()
                worker.terminate()
            }
            let caller = Self.callerTrace()
            let client = stack.client(api)
            let answer = try await client.post(
                "/payments/authorize", json: authorizeBody(), headers: [("traceparent", caller.header), ("Prefer", "wait=10")])
            #expect(answer.string("status") == "AUTHORIZED", "\(answer.text)")
            let id = try #require(answer.string("paymentId"))
            let stored = try await stack.database.scalar("SELECT traceparent FROM operations WHERE payment_id = \(id)::uuid AND kind = 'authorize'")
            #expect(stored?.hasPrefix("00-\(caller.traceId)-") == true, "\(stored ?? "nil")")

            let spans = await receiver.spans { spans in
                spans.contains { $0.traceId == caller.traceId && $0.name == "stripe POST /v1/payment_intents/{id}/confirm" }
            }
            let trace = spans.filter { $0.traceId == caller.traceId }
            let server = try #require(trace.first { $0.kind == 2 }, "\(spans.map(\.name))")
            #expect(server.parentSpanId == caller.spanId)
            #expect(server.attributes["http.response.status_code"] == "201")
            print("spans of the request's trace: \(trace.map(\.name).sorted())")
            let operation = try #require(trace.first { $0.name == "operation authorize" }, "\(trace.map(\.name))")
            #expect(operation.attributes["payment.id"] == id)
            #expect(operation.instance != server.instance, "the worker's spans come from the other process")
            let create = try #require(trace.first { $0.name == "stripe POST /v1/payment_intents" }, "\(trace.map(\.name))")
            #expect(create.parentSpanId == operation.spanId)
            #expect(create.attributes["stripe.idempotency_key"]?.hasPrefix(id) == true)
            #expect(create.attributes["stripe.request_id"]?.hasPrefix("req_") == true, "\(create.attributes)")
            #expect(create.attributes["http.response.status_code"] == "200")
            #expect(trace.contains { $0.name.hasPrefix("db ") && $0.parentSpanId == operation.spanId }, "\(trace.map(\.name))")
            let batch = try #require(spans.first { $0.name == "intake batch" && $0.links.contains { $0.traceId == caller.traceId } })
            #expect(batch.traceId != caller.traceId, "a batch is a trace of its own, linked to its requests")
            #expect(spans.contains { $0.traceId == batch.traceId && $0.parentSpanId == batch.spanId && $0.name.hasPrefix("db ") })

            #expect(receiver.authorizations == ["Bearer collector-key"], "OTEL_EXPORTER_OTLP_HEADERS on every export")
            #expect(worker.terminate() == 0)
            #expect(worker.log().contains("\"trace_id\":\"\(caller.traceId)\""), "the worker's log lines carry the request's trace")
            #expect(api.terminate() == 0, "\(api.log())")
            #expect(!api.log().contains("collector-key") && !worker.log().contains("collector-key"), "the collector's key is never logged")
        }
    }

    @Test("in one process: an authorization born leased and a capture each continue their own request's trace")
    func oneProcess() async throws {
        let receiver = try await OTLPReceiver.start()
        defer { Task { await receiver.stop() } }
        let last = Self.callerTrace()
        try await Stack.withService(extra: ["OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint]) { stack, service in
            let client = stack.client(service)
            let authorizing = Self.callerTrace()
            let answer = try await client.post(
                "/payments/authorize", json: authorizeBody(), headers: [("traceparent", authorizing.header), ("Prefer", "wait=10")])
            #expect(answer.string("status") == "AUTHORIZED", "\(answer.text)")
            let id = try #require(answer.string("paymentId"))
            let capturing = Self.callerTrace()
            let captured = try await client.post("/payments/\(id)/capture", json: nil, headers: [("traceparent", capturing.header), ("Prefer", "wait=10")])
            #expect(captured.string("status") == "CAPTURED", "\(captured.text)")
            let spans = await receiver.spans { spans in
                spans.contains { $0.traceId == capturing.traceId && $0.name == "stripe POST /v1/payment_intents/{id}/capture" }
            }
            #expect(spans.contains { $0.traceId == authorizing.traceId && $0.name == "operation authorize" }, "\(spans.map(\.name))")
            #expect(spans.contains { $0.traceId == capturing.traceId && $0.name == "operation capture" }, "\(spans.map(\.name))")
            #expect(!spans.contains { $0.traceId == authorizing.traceId && $0.name == "operation capture" })
            // The last request's span, ended just before SIGTERM, goes with the exporter's final flush.
            #expect(try await client.get("/payments/\(id)", headers: [("traceparent", last.header)]).status == 200)
        }
        #expect(receiver.spans().contains { $0.traceId == last.traceId && $0.kind == 2 }, "the last span before SIGTERM")
    }

    @Test("tracing off: no traceparent is stored, whatever the caller sends")
    func off() async throws {
        try await Stack.withService { stack, service in
            let answer = try await stack.client(service).post(
                "/payments/authorize", json: authorizeBody(), headers: [("traceparent", Self.callerTrace().header), ("Prefer", "wait=10")])
            let id = try #require(answer.string("paymentId"))
            #expect(try await stack.database.scalar("SELECT count(*) FROM operations WHERE payment_id = \(id)::uuid AND traceparent IS NOT NULL") == "0")
            #expect(!service.log().contains("trace_id"))
        }
    }
}
