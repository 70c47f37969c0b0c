import Tracing

/// The service's tracer (swift-distributed-tracing's `Tracer`): spans carry W3C trace context, and ended spans
/// wait in `queue` for `SpanExporter`. It reads and writes the `traceparent` header; `tracestate` is not kept.
public struct OTLPTracer: Tracer {
    public let queue: SpanQueue

    public init(queue: SpanQueue) {
        self.queue = queue
    }

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> InstrumentationContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> RecordedSpan {
        let parent = context()
        return RecordedSpan(
            name: operationName, context: parent, parent: parent.traceContext, kind: kind, start: instant().nanosecondsSinceEpoch,
            queue: queue)
    }

    public func forceFlush() {}

    public func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier, into context: inout InstrumentationContext, using extractor: Extract
    ) where Extract.Carrier == Carrier {
        guard let header = extractor.extract(key: "traceparent", from: carrier), let trace = TraceContext(traceparent: header) else { return }
        context.traceContext = trace
    }

    public func inject<Carrier, Inject: Injector>(
        _ context: InstrumentationContext, into carrier: inout Carrier, using injector: Inject
    ) where Inject.Carrier == Carrier {
        guard let trace = context.traceContext else { return }
        injector.inject(trace.traceparent, forKey: "traceparent", into: &carrier)
    }
}
