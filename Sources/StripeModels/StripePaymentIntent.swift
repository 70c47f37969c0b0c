/// A PaymentIntent as Stripe returns it: the fields this service reads. Only `id` and `status` must be there
/// for the answer to be readable; the amounts are optional here, and a decision that needs one that is
/// missing calls it a protocol fault (never 0).
public struct StripePaymentIntent: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        case requiresPaymentMethod = "requires_payment_method"
        case requiresConfirmation = "requires_confirmation"
        case requiresAction = "requires_action"
        case processing
        case requiresCapture = "requires_capture"
        case succeeded
        case canceled
    }

    public var id: String
    public var status: Status
    public var amount: Int?
    public var amountCapturable: Int?
    public var amountReceived: Int?
    /// Lower case, as on the wire.
    public var currency: String?
    public var captureMethod: String?
    public var latestCharge: String?
    public var lastPaymentError: StripeErrorBody?
    public var metadata: [String: String]

    public init(
        id: String, status: Status, amount: Int?, amountCapturable: Int?, amountReceived: Int?, currency: String?,
        captureMethod: String?, latestCharge: String? = nil, lastPaymentError: StripeErrorBody? = nil,
        metadata: [String: String] = [:]
    ) {
        self.id = id
        self.status = status
        self.amount = amount
        self.amountCapturable = amountCapturable
        self.amountReceived = amountReceived
        self.currency = currency
        self.captureMethod = captureMethod
        self.latestCharge = latestCharge
        self.lastPaymentError = lastPaymentError
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey {
        case id, status, amount, currency, metadata
        case amountCapturable = "amount_capturable"
        case amountReceived = "amount_received"
        case captureMethod = "capture_method"
        case latestCharge = "latest_charge"
        case lastPaymentError = "last_payment_error"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        status = try container.decode(Status.self, forKey: .status)
        amount = try container.decodeIfPresent(Int.self, forKey: .amount)
        amountCapturable = try container.decodeIfPresent(Int.self, forKey: .amountCapturable)
        amountReceived = try container.decodeIfPresent(Int.self, forKey: .amountReceived)
        currency = try container.decodeIfPresent(String.self, forKey: .currency)
        captureMethod = try container.decodeIfPresent(String.self, forKey: .captureMethod)
        latestCharge = try container.decodeIfPresent(String.self, forKey: .latestCharge)
        lastPaymentError = try container.decodeIfPresent(StripeErrorBody.self, forKey: .lastPaymentError)
        metadata = try container.decodeIfPresent([String: String].self, forKey: .metadata) ?? [:]
    }
}
