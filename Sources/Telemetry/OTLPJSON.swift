import Support
import Tracing

/// The body of an OTLP/HTTP export request in its JSON encoding (`ExportTraceServiceRequest`): ids in hex,
/// times as decimal strings of nanoseconds, enums as numbers, as the OTLP specification's JSON mapping says.
enum OTLPJSON {
    static func exportRequest(_ spans: [FinishedSpan], resource: [String: String]) -> [UInt8] {
        var out = "{\"resourceSpans\":[{\"resource\":{\"attributes\":["
        out += resource.keys.sorted().map { keyValue($0, .string(resource[$0]!)) }.joined(separator: ",")
        out += "]},\"scopeSpans\":[{\"scope\":{\"name\":\"payment-service\"},\"spans\":["
        out += spans.map(span).joined(separator: ",")
        out += "]}]}]}"
        return Array(out.utf8)
    }

    static func span(_ span: FinishedSpan) -> String {
        var fields = [
            "\"traceId\":\"\(span.trace.traceIDHex)\"", "\"spanId\":\"\(span.trace.spanIDHex)\"",
            "\"name\":\(JSONString.quoted(span.name))", "\"kind\":\(kindNumber(span.kind))",
            "\"startTimeUnixNano\":\"\(span.start)\"", "\"endTimeUnixNano\":\"\(span.end)\"",
            "\"attributes\":\(attributes(span.attributes))",
        ]
        if let parent = span.parentSpanID { fields.append("\"parentSpanId\":\"\(Hex.encode(parent))\"") }
        if !span.events.isEmpty { fields.append("\"events\":[\(span.events.map(event).joined(separator: ","))]") }
        if !span.links.isEmpty {
            fields.append("\"links\":[\(span.links.map { "{\"traceId\":\"\($0.traceIDHex)\",\"spanId\":\"\($0.spanIDHex)\"}" }.joined(separator: ","))]")
        }
        if let status = span.status { fields.append("\"status\":\(self.status(status))") }
        return "{" + fields.joined(separator: ",") + "}"
    }

    private static func event(_ event: SpanEvent) -> String {
        "{\"timeUnixNano\":\"\(event.nanosecondsSinceEpoch)\",\"name\":\(JSONString.quoted(event.name)),\"attributes\":\(attributes(event.attributes))}"
    }

    private static func status(_ status: SpanStatus) -> String {
        let code = status.code == .ok ? 1 : 2
        guard let message = status.message else { return "{\"code\":\(code)}" }
        return "{\"code\":\(code),\"message\":\(JSONString.quoted(message))}"
    }

    private static func attributes(_ attributes: SpanAttributes) -> String {
        var pairs: [(String, SpanAttribute)] = []
        attributes.forEach { pairs.append(($0, $1)) }
        return "[" + pairs.sorted { $0.0 < $1.0 }.map { keyValue($0.0, $0.1) }.joined(separator: ",") + "]"
    }

    private static func keyValue(_ key: String, _ value: SpanAttribute) -> String {
        "{\"key\":\(JSONString.quoted(key)),\"value\":\(anyValue(value))}"
    }

    /// An attribute's `AnyValue`; a value of a kind OTLP has no name for is sent as its description.
    static func anyValue(_ value: SpanAttribute) -> String {
        if let elements = elements(of: value) { return array(elements) }
        switch value {
        case .int32(let v): return "{\"intValue\":\"\(v)\"}"
        case .int64(let v): return "{\"intValue\":\"\(v)\"}"
        case .double(let v): return v.isFinite ? "{\"doubleValue\":\(v)}" : "{\"stringValue\":\"\(v)\"}"
        case .bool(let v): return "{\"boolValue\":\(v)}"
        case .string(let v): return "{\"stringValue\":\(JSONString.quoted(v))}"
        case .stringConvertible(let v): return "{\"stringValue\":\(JSONString.quoted(v.description))}"
        default: return "{\"stringValue\":\(JSONString.quoted(String(describing: value)))}"
        }
    }

    private static func elements(of value: SpanAttribute) -> [SpanAttribute]? {
        switch value {
        case .int32Array(let v): v.map { .int32($0) }
        case .int64Array(let v): v.map { .int64($0) }
        case .doubleArray(let v): v.map { .double($0) }
        case .boolArray(let v): v.map { .bool($0) }
        case .stringArray(let v): v.map { .string($0) }
        case .stringConvertibleArray(let v): v.map { .string($0.description) }
        default: nil
        }
    }

    private static func array(_ values: [SpanAttribute]) -> String {
        "{\"arrayValue\":{\"values\":[\(values.map(anyValue).joined(separator: ","))]}}"
    }

    /// `Span.SpanKind`'s numbers.
    static func kindNumber(_ kind: SpanKind) -> Int {
        switch kind {
        case .internal: 1
        case .server: 2
        case .client: 3
        case .producer: 4
        case .consumer: 5
        }
    }
}
