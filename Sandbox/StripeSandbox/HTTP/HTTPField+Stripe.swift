import HTTPTypes

extension HTTPField.Name {
    static let requestID = Self("Request-Id")!
    static let idempotencyKey = Self("Idempotency-Key")!
    static let stripeVersion = Self("Stripe-Version")!
}
