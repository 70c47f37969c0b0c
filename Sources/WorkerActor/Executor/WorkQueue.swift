import Payments
import Store

/// The durable queue the worker claims from, and the store its runs write to. `Database` is it; the worker's
/// actor-level tests give it a model.
public protocol WorkQueue: OperationStore {
    /// The sweep: up to `limit` due operations, leased to `owner`.
    func claimOperations(owner: String, limit: Int, lease: Duration) async throws(StoreError) -> [ClaimedOperation]
    /// The fast path: the operations `ids` (just committed in this process), those still due and free.
    func claimOperations(ids: [Int], owner: String, lease: Duration) async throws(StoreError) -> [ClaimedOperation]
    /// Gives back what `owner` still holds (a graceful stop).
    func releaseLeases(owner: String) async throws(StoreError)
}

extension Database: WorkQueue {}
