import Foundation
import Logging
import ServiceLifecycle
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

    @Test func aRefusalEndsTheRoundAndTheRestWaits() async {
        let queue = SpanQueue()
        let tracer = OTLPTracer(queue: queue)
        for _ in 0..<1_100 { tracer.startSpan("s", context: .topLevel).end() }
        let collector = Collector(accepts: false)
        var state = SpanExporter.ExportState()
        await exporter(queue, collector).exportQueued(&state)
        #expect(collector.bodies.withLock { $0.count } == 1)
        #expect(queue.count == 1_100 - 512)
    }

    /// The collector here fails a post made from a cancelled task, as the libcurl client does.
    final class CancellationHonouringCollector: Sendable {
        let spans = Mutex(0)
        func post(_ body: [UInt8]) -> Bool {
            guard !Task.isCancelled else { return false }
            let count = (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]).flatMap { json in
                ((json["resourceSpans"] as? [[String: Any]])?.first?["scopeSpans"] as? [[String: Any]])?.first?["spans"] as? [Any]
            }?.count ?? 0
            spans.withLock { $0 += count }
            return true
        }
    }

    @Test func atGracefulShutdownTheLastSpansAreSent() async throws {
        let queue = SpanQueue()
        let collector = CancellationHonouringCollector()
        let exporter = SpanExporter(queue: queue, resource: [:], interval: .seconds(60), logger: Logger(label: "test")) { collector.post($0) }
        let group = ServiceGroup(configuration: .init(services: [exporter], gracefulShutdownSignals: [], cancellationSignals: [], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        let tracer = OTLPTracer(queue: queue)
        for _ in 0..<3 { tracer.startSpan("last", context: .topLevel).end() }
        try await Task.sleep(for: .milliseconds(100))
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(collector.spans.withLock { $0 } == 3)
        #expect(queue.count == 0)
    }

    @Test func aWholeBatchGoesBeforeTheTick() async {
        let queue = SpanQueue()
        let tracer = OTLPTracer(queue: queue)
        for _ in 0..<512 { tracer.startSpan("s", context: .topLevel).end() }
        let start = ContinuousClock.now
        await SpanExporter.wait(for: queue, 512, upTo: .seconds(30))
        #expect(ContinuousClock.now - start < .seconds(10))
    }
}
