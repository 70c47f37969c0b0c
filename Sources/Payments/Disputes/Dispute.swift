/// A dispute of a captured payment, as the processor last said it stands (`GET /v1/disputes/{id}`).
public struct Dispute: Sendable, Equatable {
    /// Stripe's dispute statuses; `warning_*` are inquiries, which take no money.
    public enum Status: String, Sendable, Codable, CaseIterable {
        case warningNeedsResponse = "warning_needs_response"
        case warningUnderReview = "warning_under_review"
        case warningClosed = "warning_closed"
        case needsResponse = "needs_response"
        case underReview = "under_review"
        case won
        case lost
        case prevented

        public var isClosed: Bool { [.warningClosed, .won, .lost, .prevented].contains(self) }
        /// Open, or lost: the money the dispute takes (or holds) from the payment.
        public var countsAsDisputed: Bool { !isClosed || self == .lost }
    }

    public var disputeId: String
    public var paymentId: String
    public var amount: Int
    public var currency: String
    public var reason: String?
    public var status: Status
    public var isChargeRefundable: Bool
    public var evidenceDueBy: String?
    public var processorReference: String
    public var fundsWithdrawn: Bool
    public var fundsReinstated: Bool
    public var createdAt: String?
    public var updatedAt: String?

    public init(
        disputeId: String, paymentId: String, amount: Int, currency: String, reason: String?, status: Status, isChargeRefundable: Bool,
        evidenceDueBy: String?, processorReference: String, fundsWithdrawn: Bool = false, fundsReinstated: Bool = false,
        createdAt: String? = nil, updatedAt: String? = nil
    ) {
        self.disputeId = disputeId
        self.paymentId = paymentId
        self.amount = amount
        self.currency = currency
        self.reason = reason
        self.status = status
        self.isChargeRefundable = isChargeRefundable
        self.evidenceDueBy = evidenceDueBy
        self.processorReference = processorReference
        self.fundsWithdrawn = fundsWithdrawn
        self.fundsReinstated = fundsReinstated
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// While open and not refundable at the processor, a refund is refused: the charge is charged back.
    public var blocksRefunds: Bool { !status.isClosed && !isChargeRefundable }
}
