import Synchronization
import Tracing

/// A span of `OTLPTracer`: it gathers what the code tells it until `end`, then hands one `FinishedSpan` to the
/// export queue. A span under an unsampled parent records nothing (its context still reaches its children).
public final class RecordedSpan: Span {
    public let context: InstrumentationContext
    let trace: TraceContext
    let parentSpanID: [UInt8]?
    let kind: SpanKind
    let start: UInt64
    private let state: Mutex<State>
    private let queue: SpanQueue

    private struct State {
        var name: String
        var attributes: SpanAttributes = [:]
        var events: [SpanEvent] = []
        var links: [SpanLink] = []
        var status: SpanStatus?
        var recording: Bool
    }

    init(name: String, context: InstrumentationContext, parent: TraceContext?, kind: SpanKind, start: UInt64, queue: SpanQueue) {
        let trace = parent?.child() ?? .root()
        var context = context
        context.traceContext = trace
        self.context = context
        self.trace = trace
        parentSpanID = parent?.spanID
        self.kind = kind
        self.start = start
        self.queue = queue
        state = Mutex(State(name: name, recording: trace.sampled))
    }

    public var isRecording: Bool { state.withLock { $0.recording } }

    public var operationName: String {
        get { state.withLock { $0.name } }
        set { update { $0.name = newValue } }
    }

    public var attributes: SpanAttributes {
        get { state.withLock { $0.attributes } }
        set { update { $0.attributes = newValue } }
    }

    public func setStatus(_ status: SpanStatus) { update { $0.status = status } }
    public func addEvent(_ event: SpanEvent) { update { $0.events.append(event) } }
    public func addLink(_ link: SpanLink) { update { $0.links.append(link) } }

    public func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {
        var attributes = attributes
        attributes["exception.type"] = String(describing: type(of: error))
        attributes["exception.message"] = String(describing: error)
        addEvent(SpanEvent(name: "exception", at: instant(), attributes: attributes))
    }

    /// Only the first `end` counts.
    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        let finished: FinishedSpan? = state.withLock { state in
            guard state.recording else { return nil }
            state.recording = false
            return FinishedSpan(
                name: state.name, kind: kind, trace: trace, parentSpanID: parentSpanID, start: start,
                end: instant().nanosecondsSinceEpoch, attributes: Self.limited(state.attributes),
                events: Array(state.events.prefix(Self.maxEvents)),
                links: state.links.prefix(Self.maxLinks).compactMap { $0.context.traceContext }, status: state.status)
        }
        if let finished { queue.append(finished) }
    }

    /// OpenTelemetry's usual span limits. Some attributes come from callers (a path, a query, a user agent):
    /// what a span holds, and so the export queue's bytes, stays bounded whatever they send.
    static let maxAttributes = 64, maxValueLength = 256, maxEvents = 32, maxLinks = 128

    /// The first `maxAttributes` attributes by name, strings cut to `maxValueLength` characters.
    static func limited(_ attributes: SpanAttributes) -> SpanAttributes {
        var pairs: [(String, SpanAttribute)] = []
        attributes.forEach { pairs.append(($0, $1)) }
        var kept = SpanAttributes()
        for (key, value) in pairs.sorted(by: { $0.0 < $1.0 }).prefix(maxAttributes) {
            if case .string(let text) = value, text.count > maxValueLength {
                kept.set(key, value: .string(String(text.prefix(maxValueLength))))
            } else {
                kept.set(key, value: value)
            }
        }
        return kept
    }

    private func update(_ change: (inout State) -> Void) {
        state.withLock { state in
            if state.recording { change(&state) }
        }
    }
}

/// What an ended span leaves for the exporter.
struct FinishedSpan: Sendable {
    var name: String
    var kind: SpanKind
    var trace: TraceContext
    var parentSpanID: [UInt8]?
    var start: UInt64
    var end: UInt64
    var attributes: SpanAttributes
    var events: [SpanEvent]
    var links: [TraceContext]
    var status: SpanStatus?
}
