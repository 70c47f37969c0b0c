import StripeModels

/// What a dispute read back from the processor changes, against the record: the dispute as it now stands and the
/// events its change announces. The record decides, never the webhook that prompted the read: an event's type
/// alone (a `charge.dispute.closed`) says nothing of who won.
public struct DisputeTransition: Sendable, Equatable {
    public var dispute: Dispute
    public var events: [DomainEvent]

    /// nil when the processor's answer is unreadable (an unknown status): nothing is recorded from it.
    /// `newId`: the id a dispute recorded for the first time takes.
    public init?(read: StripeDispute, recorded: Dispute?, paymentId: String, orderId: String, newId: String, at time: String) {
        guard let status = Dispute.Status(rawValue: read.status) else { return nil }
        let dispute = Dispute(
            disputeId: recorded?.disputeId ?? newId, paymentId: paymentId, amount: read.amount, currency: read.currency.lowercased(),
            reason: read.reason, status: status, isChargeRefundable: read.isChargeRefundable, evidenceDueBy: read.evidenceDueBy.map(UnixTime.rfc3339),
            processorReference: read.id, fundsWithdrawn: read.fundsWithdrawn || (recorded?.fundsWithdrawn ?? false) || read.fundsReinstated,
            fundsReinstated: read.fundsReinstated, createdAt: recorded?.createdAt, updatedAt: recorded?.updatedAt)
        self.dispute = dispute
        events = Self.events(from: recorded, to: dispute, orderId: orderId, at: time)
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
