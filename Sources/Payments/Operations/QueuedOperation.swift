/// An operation the API has just committed to the queue. The intake sends it on its stream to the worker in
/// the same process: one born leased to that worker (`claimed`) runs at once, with no claim; any other is
/// claimed by id. The worker's periodic sweep finds whatever it did not take.
public struct QueuedOperation: Sendable, Equatable {
    public let id: Int
    /// The operation as its runner needs it, when the commit that queued it also leased it to this process's
    /// worker (and recorded its dispatch): its lease, generation 1, is the worker's already.
    public let claimed: ClaimedOperation?

    public init(id: Int, claimed: ClaimedOperation? = nil) {
        self.id = id
        self.claimed = claimed
    }
}

/// A lease the worker in this process lends the intake for a new authorization, to be written in the commit
/// that records the payment: `owner` is the worker's name on its leases.
public struct WorkerLease: Sendable, Equatable {
    public var owner: String
    public var duration: Duration

    public init(owner: String, duration: Duration) {
        self.owner = owner
        self.duration = duration
    }
}

/// The worker in this process, as the intake sees it: free slots it reserves for new authorizations, which are
/// then born leased to it (saving the claim's and the dispatch's commits on a checkout's path). A reservation
/// not used by a committed authorization is given back.
public protocol LocalWorkerSlots: Sendable {
    /// Up to `count` slots, and the lease to write (nil: none free, the worker is stopping, or the processor
    /// refuses the key and only probes may be sent).
    func reserve(upTo count: Int) async -> (lease: WorkerLease, slots: Int)?
    /// Gives back reserved slots no authorization was born leased with.
    func unreserve(_ count: Int) async
}
