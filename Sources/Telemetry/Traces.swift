import Logging
import Synchronization
/// The project's modules trace through this module: swift-distributed-tracing's types come with it.
@_exported import Tracing

/// Where the service's code starts its spans. Until `bootstrap` (no `OTEL_EXPORTER_OTLP_ENDPOINT`), `span` runs
/// its body at once with a span that records nothing, and `currentTraceparent` is nil: tracing off costs one
/// atomic load per span.
public enum Traces {
    private static let tracer = Mutex<OTLPTracer?>(nil)
    private static let on = Atomic<Bool>(false)

    /// Makes `tracer` the process's tracer, for this module's spans and for swift-distributed-tracing's users
    /// (Hummingbird's `TracingMiddleware`). Once per process.
    public static func bootstrap(_ tracer: OTLPTracer) {
        InstrumentationSystem.bootstrap(tracer)
        self.tracer.withLock { $0 = tracer }
        on.store(true, ordering: .releasing)
    }

    public static var isOn: Bool { on.load(ordering: .acquiring) }

    /// The current span's `traceparent`, to store with work another task or process will continue.
    public static var currentTraceparent: String? {
        guard isOn else { return nil }
        return InstrumentationContext.current?.traceContext?.traceparent
    }

    /// Runs `body` in a span named `name`, a child of `parent` (default: the current span), that ends when
    /// `body` returns or throws. `name` and `parent` are evaluated only with tracing on. `onlyWithin`: no span
    /// unless there is a current one (a database unit is traced as part of a request's or an operation's work,
    /// not as a trace of its own for every idle poll).
    public static func span<T, E: Error>(
        _ name: @autoclosure () -> String, kind: SpanKind = .internal, parent: @autoclosure () -> InstrumentationContext? = nil,
        onlyWithin: Bool = false, isolation: isolated (any Actor)? = #isolation, _ body: (any Span) async throws(E) -> T
    ) async throws(E) -> T {
        guard isOn, let tracer = tracer.withLock({ $0 }), !onlyWithin || InstrumentationContext.current?.traceContext != nil else {
            return try await body(NoOpTracer.NoOpSpan(context: .topLevel))
        }
        let span = tracer.startSpan(name(), context: parent() ?? InstrumentationContext.current ?? .topLevel, ofKind: kind)
        defer { span.end() }
        let result: Result<T, E> = await InstrumentationContext.$current.withValue(span.context, operation: {
            do throws(E) {
                return .success(try await body(span))
            } catch {
                return .failure(error)
            }
        }, isolation: isolation)
        return try result.get()
    }
}

extension Traces {
    /// `trace_id` and `span_id` of the current span on every log line, while tracing is on.
    public static let logMetadata = Logger.MetadataProvider {
        guard isOn, let trace = InstrumentationContext.current?.traceContext else { return [:] }
        return ["trace_id": "\(trace.traceIDHex)", "span_id": "\(trace.spanIDHex)"]
    }
}
