/// The processor operations the worker drives, each a durable row in the queue.
public enum OperationKind: String, Sendable, Codable, CaseIterable {
    case authorize
    case capture
    case void
    case refund
    /// Read the intent and its refunds back and record what they say (after a webhook).
    case sync
    /// Read one dispute back (`dispute_reference`) and record where it stands (after a `charge.dispute.*` webhook).
    case dispute
}

public enum OperationStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting for a worker (or for its `next_attempt_at`).
    case queued
    /// Finished: the outcome is recorded.
    case done
    /// Refused for good by the processor; recorded in the payment's `lastError`.
    case failed
    /// Made moot before it was sent (an authorization voided while queued).
    case cancelled
    /// Stopped until a webhook's read-back or an operator releases it: the processor's answers cannot be
    /// read (a field a decision needs is missing), or the payment's fresh create keys ran out.
    case parked
}
