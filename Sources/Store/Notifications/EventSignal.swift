import Foundation

/// Fans the process-wide "events were committed" wake-ups out to every open subscriber (the event streams,
/// which ignore whom a wake-up names, and the waiters, which do not). Wake-ups coalesce: a subscriber that is
/// busy sees at most one pending, naming everyone the wake-ups it stands for named.
public final class EventSignal: @unchecked Sendable {
    /// Guarded by `lock`.
    private var subscribers: [Int: AsyncStream<Addressees>.Continuation] = [:]
    private var nextID = 0
    private var closed = false
    private let lock = NSLock()

    public init() {}

    /// Wake-ups from now on; the stream finishes when the signal is closed (graceful shutdown).
    public func subscribe() -> AsyncStream<Addressees> {
        let (stream, continuation) = AsyncStream<Addressees>.makeStream(bufferingPolicy: .bufferingNewest(1))
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

    /// Under the lock, so that two wake-ups coalescing into one pending cannot lose either's addressees.
    public func notify(_ addressees: Addressees = .everyone) {
        lock.withLock {
            for continuation in subscribers.values {
                if case .dropped(let earlier) = continuation.yield(addressees) { continuation.yield(earlier.union(addressees)) }
            }
        }
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
