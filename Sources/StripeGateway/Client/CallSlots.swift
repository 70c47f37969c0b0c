/// The gateway's concurrency bound as a value: at most `limit` calls hold a slot, later callers queue in
/// arrival order and each freed slot goes straight to the longest waiter. `StripeClient` keeps it in its
/// state and does the waiting; `Waiter` is what it resumes (a continuation).
struct CallSlots<Waiter> {
    let limit: Int
    private(set) var inUse = 0
    private var queue: [(id: UInt64, waiter: Waiter)] = []

    /// `limit` ≥ 1.
    init(limit: Int) {
        self.limit = max(1, limit)
    }

    var waitingCount: Int { queue.count }

    /// Takes a slot when one is free and nobody queues for one (a newcomer never passes a waiter).
    mutating func take() -> Bool {
        guard inUse < limit, queue.isEmpty else { return false }
        inUse += 1
        return true
    }

    mutating func enqueue(_ id: UInt64, _ waiter: Waiter) {
        queue.append((id, waiter))
    }

    /// Takes a cancelled caller out of the queue; nil when it is not there (it was given a slot already).
    mutating func remove(_ id: UInt64) -> Waiter? {
        guard let index = queue.firstIndex(where: { $0.id == id }) else { return nil }
        return queue.remove(at: index).waiter
    }

    /// Frees a slot, or hands it to the longest waiter, returned to be resumed (the slot stays in use).
    mutating func release() -> Waiter? {
        guard queue.isEmpty else { return queue.removeFirst().waiter }
        inUse -= 1
        return nil
    }
}
