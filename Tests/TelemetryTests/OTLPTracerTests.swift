import Foundation
import Testing
@testable import Telemetry

/// The tracer on its own (never bootstrapped here: the process's tracer would reach every other suite).
@Suite struct OTLPTracerTests {
    struct DictionaryExtractor: Extractor {
        func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
    }

    struct DictionaryInjector: Injector {
        func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
    }

    @Test func aChildSpanJoinsItsParentsTrace() throws {
        let queue = SpanQueue()
        let tracer = OTLPTracer(queue: queue)
        let parent = tracer.startSpan("parent", context: .topLevel)
        let child = tracer.startSpan("child", context: parent.context)
        child.end()
        parent.end()
        let spans = queue.take(10)
        #expect(spans.map(\.name) == ["child", "parent"])
        #expect(spans[0].trace.traceID == spans[1].trace.traceID)
        #expect(spans[0].parentSpanID == spans[1].trace.spanID)
        #expect(spans[1].parentSpanID == nil)
        #expect(spans[0].start <= spans[0].end)
    }

    @Test func theCallersTraceparentIsExtractedAndInjectedBack() throws {
        let tracer = OTLPTracer(queue: SpanQueue())
        var context = InstrumentationContext.topLevel
        tracer.extract(["traceparent": TraceContextTests.valid], into: &context, using: DictionaryExtractor())
        #expect(context.traceContext?.traceparent == TraceContextTests.valid)
        let span = tracer.startSpan("server", context: context, ofKind: .server)
        var carrier: [String: String] = [:]
        tracer.inject(span.context, into: &carrier, using: DictionaryInjector())
        let injected = try #require(carrier["traceparent"].flatMap(TraceContext.init(traceparent:)))
        #expect(injected.traceIDHex == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(injected.spanID == span.trace.spanID)
    }

    @Test func anInvalidTraceparentStartsANewTrace() {
        let tracer = OTLPTracer(queue: SpanQueue())
        var context = InstrumentationContext.topLevel
        tracer.extract(["traceparent": "00-zz"], into: &context, using: DictionaryExtractor())
        #expect(context.traceContext == nil)
    }

    @Test func anUnsampledParentsSpansAreNotRecordedButCarryTheContext() {
        let queue = SpanQueue()
        let tracer = OTLPTracer(queue: queue)
        let span = tracer.startSpan("quiet", context: .continuing("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"))
        span.attributes["a"] = 1
        #expect(!span.isRecording)
        #expect(span.context.traceContext?.traceIDHex == "4bf92f3577b34da6a3ce929d0e0e4736")
        span.end()
        #expect(queue.count == 0)
    }

    @Test func aSpanEndsOnce() {
        let queue = SpanQueue()
        let span = OTLPTracer(queue: queue).startSpan("once", context: .topLevel)
        span.end()
        span.end()
        span.attributes["late"] = "ignored"
        #expect(queue.take(10).map { $0.attributes["late"] == nil } == [true])
    }

    @Test func aFullQueueDropsAndCounts() {
        let queue = SpanQueue(capacity: 2)
        let tracer = OTLPTracer(queue: queue)
        for _ in 0..<5 { tracer.startSpan("s", context: .topLevel).end() }
        #expect(queue.count == 2)
        #expect(queue.dropped == 3)
    }

    @Test func withTracingOffASpanRunsItsBodyAndRecordsNothing() async throws {
        let value = try await Traces.span("off") { span throws(CancellationError) in
            #expect(!span.isRecording)
            return 42
        }
        #expect(value == 42)
        #expect(Traces.currentTraceparent == nil)
    }
}
