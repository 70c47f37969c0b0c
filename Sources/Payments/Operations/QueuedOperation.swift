/// An operation the API has just committed to the queue. The intake sends it on its stream to the worker in
/// the same process, which claims it by id at once; the worker's periodic sweep finds whatever it did not take.
public struct QueuedOperation: Sendable, Hashable {
    public let id: Int

    public init(id: Int) {
        self.id = id
    }
}
