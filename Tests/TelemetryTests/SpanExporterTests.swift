import Logging
import Synchronization
import Testing
@testable import Telemetry

/// The exporter against a fake collector: batches, refusals dropped (never retried into memory), counts.
@Suite struct SpanExporterTests {
    final class Collector: Sendable {
        let bodies = Mutex<[[UInt8]]>([])
        let accepts: Bool
        init(accepts: Bool) { self.accepts = accepts }
        func post(_ body: [UInt8]) -> Bool {
            bodies.withLock { $0.append(body) }
            return accepts
        }
    }

    func exporter(_ queue: SpanQueue, _ collector: Collector) -> SpanExporter {
        SpanExporter(queue: queue, resource: [:], logger: Logger(label: "test")) { body in collector.post(body) }
    }

    @Test func whatIsQueuedGoesInBatchesOf512() async {
        let queue = SpanQueue()
        let tracer = OTLPTracer(queue: queue)
        for _ in 0..<1_100 { tracer.startSpan("s", context: .topLevel).end() }
        let collector = Collector(accepts: true)
        var state = SpanExporter.ExportState()
        await exporter(queue, collector).exportQueued(&state)
        #expect(collector.bodies.withLock { $0.count } == 3)
        #expect(queue.count == 0)
        #expect(!state.failing)
    }

    @Test func aRefusedBatchIsDroppedNotRequeued() async {
        let queue = SpanQueue(capacity: 10)
        let tracer = OTLPTracer(queue: queue)
        for _ in 0..<12 { tracer.startSpan("s", context: .topLevel).end() }
        let collector = Collector(accepts: false)
        var state = SpanExporter.ExportState()
        await exporter(queue, collector).exportQueued(&state)
        #expect(queue.count == 0)
        #expect(state.failing)
        #expect(state.dropped == 2)
    }
}
