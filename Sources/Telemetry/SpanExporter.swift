import CoreMetrics
import Logging
import ServiceLifecycle

/// Sends the ended spans to the collector every `interval` (sooner when a whole batch waits), `batchSize` at a
/// time, and once more at shutdown
/// (it stops after the API and the worker, so their last spans go too). A batch the collector does not take
/// is dropped and counted: traces are not worth holding a payment's memory or time for.
public struct SpanExporter: Service {
    let queue: SpanQueue
    let resource: [String: String]
    /// Posts one export request's body; true when the collector took it (a 2xx).
    let post: @Sendable ([UInt8]) async -> Bool
    var interval: Duration = .seconds(1)
    var batchSize = 512
    let logger: Logger

    public init(
        queue: SpanQueue, resource: [String: String], interval: Duration = .seconds(1), logger: Logger,
        post: @escaping @Sendable ([UInt8]) async -> Bool
    ) {
        self.queue = queue
        self.resource = resource
        self.interval = interval
        self.logger = logger
        self.post = post
    }

    /// Graceful shutdown interrupts only the wait between exports: an export in flight finishes, and the final
    /// one runs in this (uncancelled) task, so the last spans are sent, not cut off.
    public func run() async throws {
        var state = ExportState()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await cancelWhenGracefulShutdown { [queue, batchSize, interval] in await Self.wait(for: queue, batchSize, upTo: interval) }
            guard !Task.isShuttingDownGracefully && !Task.isCancelled else { break }
            await exportQueued(&state)
        }
        await exportQueued(&state)
    }

    /// Until a whole batch waits or `interval` has passed: under load spans go as fast as they end, rather
    /// than piling up past the queue's bound between two ticks. Looks every 50 ms.
    static func wait(for queue: SpanQueue, _ batchSize: Int, upTo interval: Duration) async {
        let deadline = ContinuousClock.now + interval
        while ContinuousClock.now < deadline, queue.count < batchSize {
            guard (try? await Task.sleep(for: min(.milliseconds(50), deadline - ContinuousClock.now))) != nil else { return }
        }
    }

    /// What the last exports came to: the queue's dropped count (to count only new drops), and whether the
    /// collector refused the last batch (to warn once per outage, not once a second).
    struct ExportState {
        var dropped = 0
        var failing = false
    }

    /// Exports what is queued now, until the collector refuses a batch (the rest waits for the next round, so
    /// a collector that does not answer costs one time-out per round, at shutdown too).
    func exportQueued(_ state: inout ExportState) async {
        while true {
            let spans = queue.take(batchSize)
            guard !spans.isEmpty else { break }
            let taken = await post(OTLPJSON.exportRequest(spans, resource: resource))
            Counter(label: taken ? "otlp_spans_exported_total" : "otlp_spans_failed_total").increment(by: spans.count)
            if !taken && !state.failing { logger.warning("the trace collector did not take \(spans.count) spans; spans are dropped until it does") }
            if taken && state.failing { logger.info("the trace collector takes spans again") }
            state.failing = !taken
            if !taken { break }
        }
        let dropped = queue.dropped
        if dropped > state.dropped { Counter(label: "otlp_spans_dropped_total").increment(by: dropped - state.dropped) }
        state.dropped = dropped
    }
}
