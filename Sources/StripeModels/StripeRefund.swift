/// A Refund as Stripe returns it.
public struct StripeRefund: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        case pending
        case requiresAction = "requires_action"
        case succeeded
        case failed
        case canceled
    }

    public var id: String
    public var paymentIntent: String
    public var amount: Int
    public var currency: String
    public var status: Status
    public var reason: String?
    public var failureReason: String?
    public var metadata: [String: String]

    public init(
        id: String, paymentIntent: String, amount: Int, currency: String, status: Status, reason: String? = nil,
        failureReason: String? = nil, metadata: [String: String] = [:]
    ) {
        self.id = id
        self.paymentIntent = paymentIntent
        self.amount = amount
        self.currency = currency
        self.status = status
        self.reason = reason
        self.failureReason = failureReason
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey {
        case id, amount, currency, status, reason, metadata
        case paymentIntent = "payment_intent"
        case failureReason = "failure_reason"
    }
}
