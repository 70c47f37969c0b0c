/// Stripe's `error` object (`{"error": {…}}`), also found as an intent's `last_payment_error`.
public struct StripeErrorBody: Sendable, Equatable, Codable {
    public var type: String
    public var code: String?
    public var declineCode: String?
    public var message: String?
    public var param: String?

    public init(type: String, code: String? = nil, declineCode: String? = nil, message: String? = nil, param: String? = nil) {
        self.type = type
        self.code = code
        self.declineCode = declineCode
        self.message = message
        self.param = param
    }

    enum CodingKeys: String, CodingKey {
        case type, code, message, param
        case declineCode = "decline_code"
    }
}
