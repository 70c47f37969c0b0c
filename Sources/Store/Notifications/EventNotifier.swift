import Foundation

/// Wakes the event streams and the `Prefer: wait` requests of every instance (LISTEN on `EventFeed.channel`)
/// after commits that wrote events: at most one NOTIFY per `delay`, sent in a statement of its own after those
/// commits, so writers never queue on PostgreSQL's notification lock. The first commit after a quiet `delay`
/// is told at once; the commits that follow within it share one NOTIFY at the end of it, whose payload names
/// the waiters of all of them (`Addressees`).
final class EventNotifier: @unchecked Sendable {
    private let lock = NSLock()
    /// Guarded by `lock`: whom the NOTIFY already on its way is for (nil: none is).
    private var pending: Addressees?
    /// Guarded by `lock`: when the last NOTIFY was (or is to be) sent.
    private var lastSent: ContinuousClock.Instant?
    private let delay: Duration

    init(delay: Duration = .milliseconds(20)) {
        self.delay = delay
    }

    func poke(_ database: Database, for addressees: Addressees) {
        guard let pause = schedule(addressees) else { return }
        Task {
            if pause > .zero { try? await Task.sleep(for: pause) }
            let payload = lock.withLock {
                defer { pending = nil }
                return (pending ?? addressees).payload
            }
            _ = try? await database.withConnection(rerun: .asIs) { tx throws(StoreError) in
                try tx.execute("SELECT pg_notify(\(EventFeed.channel), \(payload))")
            }
        }
    }

    /// How long the NOTIFY this poke starts should wait; nil when one already on its way covers it (and now
    /// names its waiters too).
    private func schedule(_ addressees: Addressees) -> Duration? {
        lock.withLock {
            if let scheduled = pending {
                pending = scheduled.union(addressees)
                return nil
            }
            pending = addressees
            let now = ContinuousClock.now
            let at = lastSent.map { max(now, $0 + delay) } ?? now
            lastSent = at
            return at - now
        }
    }
}
