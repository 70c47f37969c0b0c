import Synchronization

/// The ended spans waiting for the exporter, at most `capacity` of them: when the collector is slow or away,
/// new spans are dropped and counted rather than held without bound or making a request wait.
public final class SpanQueue: Sendable {
    public let capacity: Int
    private let state: Mutex<State>

    private struct State {
        var spans: [FinishedSpan] = []
        var dropped = 0
    }

    public init(capacity: Int = 4096) {
        self.capacity = capacity
        state = Mutex(State())
    }

    func append(_ span: FinishedSpan) {
        state.withLock { state in
            if state.spans.count < capacity { state.spans.append(span) } else { state.dropped += 1 }
        }
    }

    /// Up to `limit` spans, oldest first, taken off the queue.
    func take(_ limit: Int) -> [FinishedSpan] {
        state.withLock { state in
            let taken = Array(state.spans.prefix(limit))
            state.spans.removeFirst(taken.count)
            return taken
        }
    }

    public var count: Int { state.withLock { $0.spans.count } }

    /// Spans dropped because the queue was full, since the start.
    public var dropped: Int { state.withLock { $0.dropped } }
}
