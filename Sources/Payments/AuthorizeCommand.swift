import Support

/// The AuthorizePayment command after parsing, with every default applied. Two commands are "identical"
/// (a replay) exactly when their `canonicalForm`s are equal.
public struct AuthorizeCommand: Sendable, Codable, Equatable {
    public var cartId: String
    public var customerId: String?
    public var amount: Int
    public var currency: String
    public var orderId: String
    public var paymentMethod: String
    public var capture: CaptureMode
    public var metadata: [String: String]
    /// The customer is at the checkout: the intent is confirmed on session, and may need 3-D Secure.
    public var customerPresent: Bool

    public init(
        cartId: String, customerId: String?, amount: Int, currency: String, orderId: String? = nil,
        paymentMethod: String, capture: CaptureMode = .manual, metadata: [String: String] = [:], customerPresent: Bool = false
    ) {
        self.cartId = cartId.lowercased()
        self.customerId = customerId?.lowercased()
        self.amount = amount
        self.currency = currency
        self.orderId = (orderId ?? cartId).lowercased()
        self.paymentMethod = paymentMethod
        self.capture = capture
        self.metadata = metadata
        self.customerPresent = customerPresent
    }

    /// A stable text of every field (keys sorted), stored with the payment to recognise replays.
    /// Written field by field in key order; `canonicalFormIsPinned` holds its exact bytes. `customerPresent`
    /// appears only when true: false and absent are the same command, and older forms stay equal.
    public var canonicalForm: String {
        var o = JSONObjectWriter(capacity: 192)
        o.int("amount", amount)
        o.string("capture", capture.rawValue)
        o.string("cartId", cartId)
        o.string("currency", currency)
        o.stringOrNull("customerId", customerId)
        if customerPresent { o.rawOrNull("customerPresent", "true") }
        o.rawOrNull("metadata", JSONString.object(metadata))
        o.string("orderId", orderId)
        o.string("paymentMethod", paymentMethod)
        return o.finish()
    }
}
