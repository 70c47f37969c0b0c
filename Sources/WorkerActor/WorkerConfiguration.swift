public struct WorkerConfiguration: Sendable {
    /// Processor operations in flight at once (`WORKER_CONCURRENCY`).
    public var concurrency: Int
    /// How long a claim is exclusive; longer than any one operation's calls take.
    public var lease: Duration
    /// How often the queue is swept for due, retried and abandoned work.
    public var pollInterval: Duration
    /// This worker's name on its leases.
    public var owner: String

    public init(concurrency: Int = 16, lease: Duration = .seconds(60), pollInterval: Duration = .milliseconds(500), owner: String) {
        self.concurrency = concurrency
        self.lease = lease
        self.pollInterval = pollInterval
        self.owner = owner
    }
}
