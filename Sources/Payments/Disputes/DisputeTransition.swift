import StripeModels

/// What a dispute read back from the processor changes, against the record: the dispute as it now stands and the
/// events its change announces. The record decides, never the webhook that prompted the read: an event's type
/// alone (a `charge.dispute.closed`) says nothing of who won.
public struct DisputeTransition: Sendable, Equatable {
    public var dispute: Dispute
    public var events: [DomainEvent]
    /// What it was made of, to make it again against the record as its write finds it (`rebased(on:)`).
    private let read: StripeDispute
    private let orderId: String
    private let time: String

    /// nil when the processor's answer is unreadable (an unknown status): nothing is recorded from it.
    /// `newId`: the id a dispute recorded for the first time takes.
    public init?(read: StripeDispute, recorded: Dispute?, paymentId: String, orderId: String, newId: String, at time: String) {
        guard var status = Dispute.Status(rawValue: read.status) else { return nil }
        // Two reads may commit out of order: a closed dispute never reopens from the older one.
        if let recorded, recorded.status.isClosed, !status.isClosed { status = recorded.status }
        (self.read, self.orderId, self.time) = (read, orderId, time)
        let dispute = Dispute(
            disputeId: recorded?.disputeId ?? newId, paymentId: paymentId, amount: read.amount, currency: read.currency.uppercased(),
            reason: read.reason, status: status, isChargeRefundable: read.isChargeRefundable, evidenceDueBy: read.evidenceDueBy.map(UnixTime.rfc3339),
            processorReference: read.id, fundsWithdrawn: read.fundsWithdrawn || (recorded?.fundsWithdrawn ?? false) || read.fundsReinstated,
            fundsReinstated: read.fundsReinstated || (recorded?.fundsReinstated ?? false), createdAt: recorded?.createdAt, updatedAt: recorded?.updatedAt)
        self.dispute = dispute
        events = Self.events(from: recorded, to: dispute, orderId: orderId, at: time)
    }

    /// The same read against the record as the write finds it under its lock: another read of the dispute may
    /// have committed since this one looked (its id and its events stand; this one adds only what is new).
    public func rebased(on recorded: Dispute?) -> DisputeTransition? {
        DisputeTransition(read: read, recorded: recorded, paymentId: dispute.paymentId, orderId: orderId, newId: dispute.disputeId, at: time)
    }

    /// Whether the record would change at all.
    public func changes(_ recorded: Dispute?) -> Bool {
        guard let recorded else { return true }
        var comparable = dispute
        comparable.createdAt = recorded.createdAt
        comparable.updatedAt = recorded.updatedAt
        return comparable != recorded
    }

    /// Opened, funds out, closed, funds back: each announced once, in the order the processor moves them.
    static func events(from recorded: Dispute?, to dispute: Dispute, orderId: String, at time: String) -> [DomainEvent] {
        var events: [DomainEvent] = []
        if recorded == nil { events.append(.paymentDisputed(dispute, orderId: orderId, disputedAt: time)) }
        if dispute.fundsWithdrawn, !(recorded?.fundsWithdrawn ?? false) { events.append(.disputeFundsWithdrawn(dispute, withdrawnAt: time)) }
        if dispute.status.isClosed, !(recorded?.status.isClosed ?? false) { events.append(.disputeClosed(dispute, closedAt: time)) }
        if dispute.fundsReinstated, !(recorded?.fundsReinstated ?? false) { events.append(.disputeFundsReinstated(dispute, reinstatedAt: time)) }
        return events
    }
}
