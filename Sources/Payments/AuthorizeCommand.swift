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

    public init(
        cartId: String, customerId: String?, amount: Int, currency: String, orderId: String? = nil,
        paymentMethod: String, capture: CaptureMode = .manual, metadata: [String: String] = [:]
    ) {
        self.cartId = cartId.lowercased()
        self.customerId = customerId?.lowercased()
        self.amount = amount
        self.currency = currency
        self.orderId = (orderId ?? cartId).lowercased()
        self.paymentMethod = paymentMethod
        self.capture = capture
        self.metadata = metadata
    }

    /// A stable text of every field (keys sorted), stored with the payment to recognise replays.
    public var canonicalForm: String {
        var fields: [(String, String)] = [
            ("amount", String(amount)),
            ("capture", Self.quote(capture.rawValue)),
            ("cartId", Self.quote(cartId)),
            ("currency", Self.quote(currency)),
            ("customerId", customerId.map(Self.quote) ?? "null"),
            ("orderId", Self.quote(orderId)),
            ("paymentMethod", Self.quote(paymentMethod)),
        ]
        let meta = metadata.keys.sorted().map { "\(Self.quote($0)):\(Self.quote(metadata[$0]!))" }
        fields.append(("metadata", "{" + meta.joined(separator: ",") + "}"))
        fields.sort { $0.0 < $1.0 }
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    private static func quote(_ s: String) -> String { JSONString.quoted(s) }
}
