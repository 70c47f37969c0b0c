/// A processor call's outcome, classified as `stripe.md` ("Retries and unknown outcomes") says.
public enum StripeResult<Value: Sendable>: Sendable {
    /// 2xx: the object as Stripe returned it.
    case success(Value)
    /// 402 `card_error`: the card was declined (the intent, when Stripe sent it, is in `paymentIntent`).
    case declined(StripeErrorBody, paymentIntent: StripePaymentIntent?)
    /// A refusal that will not heal by repeating the same request (400, 404, a 402 that is not a card error).
    case rejected(status: Int, StripeErrorBody)
    /// Safe to repeat with the same idempotency key: nothing happened (a failure before the request was
    /// fully sent, 409 `idempotency_key_in_use`, 429, 401/403 `credentials_refused`, or `Stripe-Should-Retry: true`).
    case retryable(StripeCallFailure)
    /// It may or may not have executed (a time-out or drop after sending, a 5xx): read the object back.
    case unknown(StripeCallFailure)
}

/// Why a call did not give a definite answer: for logs and `lastError`; never a secret.
public struct StripeCallFailure: Sendable, Equatable, Error, CustomStringConvertible {
    public var httpStatus: Int?
    public var code: String
    public var message: String
    /// Stripe's `Request-Id`, when an answer came.
    public var requestId: String?
    /// A 5xx that Stripe replayed from its key (`Idempotent-Replayed: true`): the same key will only repeat it.
    public var replayed: Bool

    public init(httpStatus: Int?, code: String, message: String, requestId: String? = nil, replayed: Bool = false) {
        self.httpStatus = httpStatus
        self.code = code
        self.message = message
        self.requestId = requestId
        self.replayed = replayed
    }

    /// The code of a 2xx answer whose body could not be read: a protocol fault.
    public static let unreadable = "invalid_response"

    /// The processor answered, but not in a shape this client can read (a field a decision needs is missing).
    public var isProtocolFault: Bool { code == Self.unreadable }

    public var description: String {
        "\(code)\(httpStatus.map { " (HTTP \($0))" } ?? ""): \(message)"
    }
}
