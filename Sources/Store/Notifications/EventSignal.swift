import Foundation

/// Fans one process-wide "events were committed" wake-up out to every open subscriber (the event streams).
/// Wake-ups coalesce: a subscriber that is busy sees at most one pending.
public final class EventSignal: @unchecked Sendable {
    /// Guarded by `lock`.
    private var subscribers: [Int: AsyncStream<Void>.Continuation] = [:]
    private var nextID = 0
    private var closed = false
    private let lock = NSLock()

    public init() {}

    /// Wake-ups from now on; the stream finishes when the signal is closed (graceful shutdown).
    public func subscribe() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id: Int? = lock.withLock {
            guard !closed else { return nil }
            defer { nextID += 1 }
            subscribers[nextID] = continuation
            return nextID
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in self?.remove(id) }
        return stream
    }

    public func notify() {
        for continuation in lock.withLock({ Array(subscribers.values) }) { continuation.yield() }
    }

    /// Ends every subscription, and every later one at once.
    public func close() {
        let ending = lock.withLock {
            closed = true
            defer { subscribers.removeAll() }
            return Array(subscribers.values)
        }
        for continuation in ending { continuation.finish() }
    }

    public var subscriberCount: Int { lock.withLock { subscribers.count } }

    private func remove(_ id: Int) {
        _ = lock.withLock { subscribers.removeValue(forKey: id) }
    }
}
