import Foundation

/// Wakes the event streams of every instance (LISTEN on `EventFeed.channel`) after commits that wrote
/// events: at most one NOTIFY per `delay`, sent in a statement of its own after those commits, so writers
/// never queue on PostgreSQL's notification lock and a stream still hears of a commit within milliseconds.
final class EventNotifier: @unchecked Sendable {
    private let lock = NSLock()
    /// Guarded by `lock`: a NOTIFY is already on its way.
    private var scheduled = false
    private let delay: Duration

    init(delay: Duration = .milliseconds(20)) {
        self.delay = delay
    }

    func poke(_ database: Database) {
        lock.lock()
        let start = !scheduled
        scheduled = true
        lock.unlock()
        guard start else { return }
        Task { [delay] in
            try? await Task.sleep(for: delay)
            lock.withLock { scheduled = false }
            _ = try? await database.withConnection(rerun: .asIs) { tx throws(StoreError) in
                try tx.execute("SELECT pg_notify(\(EventFeed.channel), '')")
            }
        }
    }
}
