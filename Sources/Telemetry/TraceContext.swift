import Support
import Tracing

/// Where a span sits in a trace, as W3C Trace Context's `traceparent` carries it between processes: the HTTP
/// caller's header, the column `operations.traceparent` that takes a request's trace to the worker, and back out.
public struct TraceContext: Sendable, Hashable {
    /// 16 bytes, never all zero.
    public let traceID: [UInt8]
    /// 8 bytes, never all zero.
    public let spanID: [UInt8]
    /// The caller's sampled flag: spans under an unsampled parent are not recorded (the context still travels).
    public let sampled: Bool

    init(traceID: [UInt8], spanID: [UInt8], sampled: Bool) {
        self.traceID = traceID
        self.spanID = spanID
        self.sampled = sampled
    }

    /// The start of a new trace.
    static func root() -> TraceContext {
        TraceContext(traceID: randomID(16), spanID: randomID(8), sampled: true)
    }

    /// A span under this one: same trace, new span id, same sampling.
    func child() -> TraceContext {
        TraceContext(traceID: traceID, spanID: Self.randomID(8), sampled: sampled)
    }

    public var traceIDHex: String { Hex.encode(traceID) }
    public var spanIDHex: String { Hex.encode(spanID) }

    /// `00-<trace id>-<span id>-<flags>`, lower-case.
    public var traceparent: String {
        "00-\(traceIDHex)-\(spanIDHex)-\(sampled ? "01" : "00")"
    }

    /// A `traceparent` header's value, or nil when it is not valid (the W3C rules: lower-case hex, version `ff`
    /// refused, version `00` exactly 55 characters, a later version longer only after a `-`, ids not all zero).
    public init?(traceparent text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 55, bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-"),
              let version = Self.lowerHex(bytes[0..<2]), version != [0xFF],
              let traceID = Self.lowerHex(bytes[3..<35]), let spanID = Self.lowerHex(bytes[36..<52]),
              let flags = Self.lowerHex(bytes[53..<55]),
              version == [0] ? bytes.count == 55 : (bytes.count == 55 || bytes[55] == UInt8(ascii: "-")),
              traceID.contains(where: { $0 != 0 }), spanID.contains(where: { $0 != 0 })
        else { return nil }
        self.init(traceID: traceID, spanID: spanID, sampled: flags[0] & 1 == 1)
    }

    private static func lowerHex(_ digits: ArraySlice<UInt8>) -> [UInt8]? {
        let lower = digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
        return lower ? Hex.decode(String(decoding: digits, as: UTF8.self)) : nil
    }

    /// `count` (8 or 16) random bytes, not all zero.
    private static func randomID(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        while true {
            let words = (0..<count / 8).map { _ in generator.next() as UInt64 }
            let id = words.flatMap { word in (0..<8).map { UInt8(truncatingIfNeeded: word >> ($0 * 8)) } }
            if id.contains(where: { $0 != 0 }) { return id }
        }
    }
}

extension InstrumentationContext {
    /// The span this context stands in (nil: none, or tracing is off).
    public var traceContext: TraceContext? {
        get { self[TraceContextKey.self] }
        set { self[TraceContextKey.self] = newValue }
    }

    /// A context whose span is the one `traceparent` names; a top-level context when it is nil or not valid.
    public static func continuing(_ traceparent: String?) -> InstrumentationContext {
        var context = InstrumentationContext.topLevel
        context.traceContext = traceparent.flatMap(TraceContext.init(traceparent:))
        return context
    }
}

private enum TraceContextKey: InstrumentationContextKey {
    typealias Value = TraceContext
    static let nameOverride: String? = "trace-context"
}
