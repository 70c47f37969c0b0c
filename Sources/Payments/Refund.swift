public enum RefundStatus: String, Sendable, Codable, CaseIterable {
    case requested = "REQUESTED"
    case processed = "PROCESSED"
    case failed = "FAILED"
}

public enum RefundReason: String, Sendable, Codable, CaseIterable {
    case duplicate
    case fraudulent
    case requestedByCustomer = "requested_by_customer"
}

/// A refund as the API shows it.
public struct Refund: Sendable, Equatable {
    public var refundId: String
    public var paymentId: String
    public var amount: Int
    public var currency: String
    public var reason: RefundReason?
    public var status: RefundStatus
    public var processorReference: String?
    /// The credential that asked for it, or `processor` for a refund made elsewhere and recorded here.
    public var createdBy: String?
    public var createdAt: String
    public var updatedAt: String

    public init(
        refundId: String, paymentId: String, amount: Int, currency: String, reason: RefundReason?,
        status: RefundStatus, processorReference: String?, createdAt: String, updatedAt: String
    ) {
        self.refundId = refundId
        self.paymentId = paymentId
        self.amount = amount
        self.currency = currency
        self.reason = reason
        self.status = status
        self.processorReference = processorReference
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
