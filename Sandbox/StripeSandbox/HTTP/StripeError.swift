/// An error as Stripe reports it: `{"error": {…}}` with an HTTP status.
struct StripeError: Error, Sendable {
    /// Whether the request had begun executing: such answers are saved under an idempotency key
    /// (declines, state conflicts, `error_after`); validation failures before executing are not.
    enum Phase: Sendable { case validation, execution }

    var status: Int
    var type: String
    var code: String?
    var declineCode: String?
    var message: String
    var param: String?
    var charge: String?
    var paymentIntent: JSONValue?
    var paymentMethod: String?
    var phase: Phase = .validation
    var headers: [(name: String, value: String)] = []
    /// The fault that made this error (a `refuse` refusal), for the `injected` counts.
    var fault: InjectedFault?

    var docURL: String? { code.map { "https://stripe.com/docs/error-codes/\($0.replacingOccurrences(of: "_", with: "-"))" } }

    /// The error object, as in an intent's `last_payment_error` (the body adds `request_log_url`).
    var object: JSONValue {
        var fields: [(key: String, value: JSONValue)] = []
        if let charge { fields.append(("charge", .string(charge))) }
        if let code { fields.append(("code", .string(code))) }
        if let declineCode { fields.append(("decline_code", .string(declineCode))) }
        if let docURL { fields.append(("doc_url", .string(docURL))) }
        fields.append(("message", .string(message)))
        if let param { fields.append(("param", .string(param))) }
        if let paymentIntent { fields.append(("payment_intent", paymentIntent)) }
        if let paymentMethod { fields.append(("payment_method", ["id": .string(paymentMethod), "object": "payment_method"])) }
        fields.append(("type", .string(type)))
        return .object(fields)
    }

    /// The answer's body: the object with `request_log_url`, the Dashboard's page for the request
    /// that got this answer (Stripe's shape), before `type`.
    func body(requestID: String) -> JSONValue {
        guard case .object(var fields) = object else { return ["error": object] }
        fields.insert(("request_log_url", .string("https://dashboard.stripe.com/test/logs/\(requestID)")), at: fields.count - 1)
        return ["error": .object(fields)]
    }
}

extension StripeError {
    static func invalidRequest(
        _ message: String, code: String? = nil, param: String? = nil, status: Int = 400, phase: Phase = .validation
    ) -> StripeError {
        StripeError(status: status, type: "invalid_request_error", code: code, message: message, param: param, phase: phase)
    }

    static func invalidParameter(_ param: String) -> StripeError {
        .invalidRequest("Invalid value for \(param).", code: "parameter_invalid_string", param: param)
    }

    static func missingParameter(_ param: String) -> StripeError {
        .invalidRequest("Missing required param: \(param).", code: "parameter_missing", param: param)
    }

    static func unknownParameter(_ param: String) -> StripeError {
        .invalidRequest("Received unknown parameter: \(param)", code: "parameter_unknown", param: param)
    }

    static func invalidInteger(_ param: String) -> StripeError {
        .invalidRequest("Invalid integer: \(param)", code: "parameter_invalid_integer", param: param)
    }

    static func noSuch(_ resource: String, id: String, param: String? = nil, status: Int = 404) -> StripeError {
        .invalidRequest("No such \(resource): '\(id)'", code: "resource_missing", param: param ?? "id", status: status)
    }

    static func unrecognizedURL(method: String, path: String) -> StripeError {
        .invalidRequest(
            "Unrecognized request URL (\(method): \(path)). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.",
            status: 404
        )
    }

    static let missingAPIKey = StripeError(
        status: 401, type: "invalid_request_error",
        message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
        headers: [("WWW-Authenticate", "Basic realm=\"Stripe\"")]
    )

    static func invalidAPIKey(_ key: String) -> StripeError {
        let shown = key.count > 12 ? String(key.prefix(8)) + String(repeating: "*", count: key.count - 12) + String(key.suffix(4)) : "****"
        return StripeError(
            status: 401, type: "invalid_request_error", code: "api_key_invalid",
            message: "Invalid API Key provided: \(shown)", headers: [("WWW-Authenticate", "Basic realm=\"Stripe\"")]
        )
    }

    static let rateLimited = StripeError(
        status: 429, type: "invalid_request_error", code: "rate_limit",
        message: "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.",
        headers: [("Stripe-Should-Retry", "true")]
    )

    /// The `refuse` fault's answer to a refund that would have succeeded: Stripe's refusal for want of
    /// balance, which changes nothing.
    static let refundRefused = StripeError(
        status: 400, type: "invalid_request_error", code: "balance_insufficient",
        message: "Insufficient funds in Stripe account. In test mode, you can add funds to your available balance (bypassing your pending balance) by creating a charge with 4000 0000 0000 0077 as the card number. You can use the /v1/balance endpoint to view your Stripe balance (for more details, see stripe.com/docs/api#balance).",
        phase: .execution, fault: .refuse
    )

    static func apiError(phase: Phase) -> StripeError {
        StripeError(
            status: 500, type: "api_error",
            message: "An unknown error occurred. Please try again later.", phase: phase
        )
    }
}
