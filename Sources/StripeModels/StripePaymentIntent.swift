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
    /// The id of `latest_charge`, whether it came as an id or expanded.
    public var latestCharge: String?
    /// `latest_charge` when it came expanded (`expand[]=latest_charge.review`): its Radar outcome and review.
    public var charge: StripeCharge?
    public var lastPaymentError: StripeErrorBody?
    public var metadata: [String: String]
    /// `next_action.type` while `requires_action` (`use_stripe_sdk` for a card confirmed on-session).
    public var nextActionType: String?
    /// What Stripe.js completes the action with; shown only to the API caller, never logged or published.
    public var clientSecret: String?
    /// `abandoned` when the service gave up on the customer's authentication; `requested_by_customer`…
    public var cancellationReason: String?

    public init(
        id: String, status: Status, amount: Int?, amountCapturable: Int?, amountReceived: Int?, currency: String?,
        captureMethod: String?, latestCharge: String? = nil, lastPaymentError: StripeErrorBody? = nil,
        metadata: [String: String] = [:], charge: StripeCharge? = nil, nextActionType: String? = nil, clientSecret: String? = nil,
        cancellationReason: String? = nil
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
        self.charge = charge
        self.nextActionType = nextActionType
        self.clientSecret = clientSecret
        self.cancellationReason = cancellationReason
    }

    enum CodingKeys: String, CodingKey {
        case id, status, amount, currency, metadata
        case amountCapturable = "amount_capturable"
        case amountReceived = "amount_received"
        case captureMethod = "capture_method"
        case latestCharge = "latest_charge"
        case lastPaymentError = "last_payment_error"
        case nextAction = "next_action"
        case clientSecret = "client_secret"
        case cancellationReason = "cancellation_reason"
    }

    private struct NextAction: Codable {
        var type: String?
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(amount, forKey: .amount)
        try container.encodeIfPresent(amountCapturable, forKey: .amountCapturable)
        try container.encodeIfPresent(amountReceived, forKey: .amountReceived)
        try container.encodeIfPresent(currency, forKey: .currency)
        try container.encodeIfPresent(captureMethod, forKey: .captureMethod)
        if let charge { try container.encode(charge, forKey: .latestCharge) } else { try container.encodeIfPresent(latestCharge, forKey: .latestCharge) }
        try container.encodeIfPresent(lastPaymentError, forKey: .lastPaymentError)
        try container.encode(metadata, forKey: .metadata)
        try container.encodeIfPresent(nextActionType.map { NextAction(type: $0) }, forKey: .nextAction)
        try container.encodeIfPresent(clientSecret, forKey: .clientSecret)
        try container.encodeIfPresent(cancellationReason, forKey: .cancellationReason)
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
        if let expanded = try? container.decodeIfPresent(StripeCharge.self, forKey: .latestCharge) {
            charge = expanded
            latestCharge = expanded.id
        } else {
            latestCharge = try container.decodeIfPresent(String.self, forKey: .latestCharge)
        }
        nextActionType = (try? container.decodeIfPresent(NextAction.self, forKey: .nextAction))?.type
        clientSecret = try? container.decodeIfPresent(String.self, forKey: .clientSecret)
        cancellationReason = try? container.decodeIfPresent(String.self, forKey: .cancellationReason)
        lastPaymentError = try container.decodeIfPresent(StripeErrorBody.self, forKey: .lastPaymentError)
        metadata = try container.decodeIfPresent([String: String].self, forKey: .metadata) ?? [:]
    }
}
