/// A processor call's outcome, classified as `stripe.md` ("Retries and unknown outcomes") says.
public enum StripeResult<Value: Sendable>: Sendable {
    /// 2xx: the object as Stripe returned it.
    case success(Value)
    /// 402 `card_error`: the card was declined (the intent, when Stripe sent it, is in `paymentIntent`).
    case declined(StripeErrorBody, paymentIntent: StripePaymentIntent?)
    /// A refusal that will not heal by repeating the same request (400, 401, 403, 404, 400 `idempotency_error`).
    case rejected(status: Int, StripeErrorBody)
    /// Safe to repeat with the same idempotency key: nothing happened (a failure before the request was
    /// fully sent, 409 `idempotency_key_in_use`, 429, or `Stripe-Should-Retry: true`).
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

    public init(httpStatus: Int?, code: String, message: String, requestId: String? = nil) {
        self.httpStatus = httpStatus
        self.code = code
        self.message = message
        self.requestId = requestId
    }

    public var description: String {
        "\(code)\(httpStatus.map { " (HTTP \($0))" } ?? ""): \(message)"
    }
}
