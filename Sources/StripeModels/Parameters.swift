/// What the service asks Stripe to create; the gateway form-encodes it.
public struct CreatePaymentIntentParams: Sendable, Equatable {
    public var amount: Int
    /// ISO 4217; sent lower case.
    public var currency: String
    /// `manual` (a hold) or `automatic`.
    public var captureMethod: String
    public var metadata: [String: String]
    public var description: String?

    public init(amount: Int, currency: String, captureMethod: String, metadata: [String: String], description: String? = nil) {
        self.amount = amount
        self.currency = currency
        self.captureMethod = captureMethod
        self.metadata = metadata
        self.description = description
    }
}

public struct CreateRefundParams: Sendable, Equatable {
    public var paymentIntent: String
    public var amount: Int?
    public var reason: String?
    public var metadata: [String: String]

    public init(paymentIntent: String, amount: Int?, reason: String?, metadata: [String: String]) {
        self.paymentIntent = paymentIntent
        self.amount = amount
        self.reason = reason
        self.metadata = metadata
    }
}
