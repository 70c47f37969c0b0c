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
public struct Refund: Sendable, Codable, Equatable {
    public var refundId: String
    public var paymentId: String
    public var amount: Int
    public var currency: String
    public var reason: RefundReason?
    public var status: RefundStatus
    public var processorReference: String?
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

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(refundId, forKey: .refundId)
        try c.encode(paymentId, forKey: .paymentId)
        try c.encode(amount, forKey: .amount)
        try c.encode(currency, forKey: .currency)
        try c.encode(reason, forKey: .reason)
        try c.encode(status, forKey: .status)
        try c.encode(processorReference, forKey: .processorReference)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}
