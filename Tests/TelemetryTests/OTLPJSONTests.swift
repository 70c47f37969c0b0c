import Foundation
import Testing
@testable import Telemetry

/// The export request's JSON, read back with Foundation's parser, field by field as OTLP's JSON mapping has them.
@Suite struct OTLPJSONTests {
    func exported(_ build: (OTLPTracer) -> Void) throws -> [String: Any] {
        let queue = SpanQueue()
        build(OTLPTracer(queue: queue))
        let body = OTLPJSON.exportRequest(queue.take(100), resource: ["service.name": "payment-service"])
        return try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
    }

    func spans(_ json: [String: Any]) throws -> [[String: Any]] {
        let resourceSpans = try #require(json["resourceSpans"] as? [[String: Any]])
        let scopeSpans = try #require(resourceSpans.first?["scopeSpans"] as? [[String: Any]])
        return try #require(scopeSpans.first?["spans"] as? [[String: Any]])
    }

    @Test func aSpanCarriesItsIdsTimesKindAttributesAndStatus() throws {
        var traceHex = ""
        let json = try exported { tracer in
            let parent = tracer.startSpan("intake batch", context: .topLevel)
            let span = tracer.startSpan("stripe POST /v1/payment_intents", context: parent.context, ofKind: .client)
            traceHex = span.trace.traceIDHex
            span.attributes["stripe.request_id"] = "req_\"quoted\"\n"
            span.attributes["http.response.status_code"] = 200
            span.attributes["retried"] = true
            span.attributes["ratio"] = 0.5
            span.attributes["keys"] = ["a", "b"]
            span.setStatus(SpanStatus(code: .error, message: "unknown"))
            span.end()
            parent.end()
        }
        let resource = try #require((json["resourceSpans"] as? [[String: Any]])?.first?["resource"] as? [String: Any])
        #expect((resource["attributes"] as? [[String: Any]])?.first?["key"] as? String == "service.name")
        let span = try #require(try spans(json).first)
        #expect(span["traceId"] as? String == traceHex)
        #expect((span["spanId"] as? String)?.count == 16)
        #expect((span["parentSpanId"] as? String)?.count == 16)
        #expect(span["kind"] as? Int == 3)
        #expect(UInt64(try #require(span["startTimeUnixNano"] as? String))! <= UInt64(try #require(span["endTimeUnixNano"] as? String))!)
        let attributes = try #require(span["attributes"] as? [[String: Any]])
        func value(_ key: String) -> [String: Any]? { attributes.first { $0["key"] as? String == key }?["value"] as? [String: Any] }
        #expect(value("stripe.request_id")?["stringValue"] as? String == "req_\"quoted\"\n")
        #expect(value("http.response.status_code")?["intValue"] as? String == "200")
        #expect(value("retried")?["boolValue"] as? Bool == true)
        #expect(value("ratio")?["doubleValue"] as? Double == 0.5)
        #expect(((value("keys")?["arrayValue"] as? [String: Any])?["values"] as? [[String: Any]])?.count == 2)
        let status = try #require(span["status"] as? [String: Any])
        #expect(status["code"] as? Int == 2 && status["message"] as? String == "unknown")
    }

    @Test func linksAndEventsAreListed() throws {
        let json = try exported { tracer in
            let request = tracer.startSpan("POST /payments/authorize", context: .topLevel, ofKind: .server)
            let batch = tracer.startSpan("intake batch", context: .topLevel)
            batch.addLink(SpanLink(context: request.context, attributes: [:]))
            batch.recordError(CancellationError())
            batch.end()
        }
        let span = try #require(try spans(json).first)
        let links = try #require(span["links"] as? [[String: Any]])
        #expect(links.count == 1 && (links[0]["spanId"] as? String)?.count == 16)
        let events = try #require(span["events"] as? [[String: Any]])
        #expect(events.first?["name"] as? String == "exception")
    }
}
