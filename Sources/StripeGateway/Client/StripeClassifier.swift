import Foundation

/// Turns what came back from one Stripe call into a `StripeResult`, as `stripe.md` ("Errors",
/// "Retries and unknown outcomes") says. Pure: no I/O, so the whole table is unit-tested.
///
/// In order:
/// 1. transport `notSent` → retryable; `noAnswer` → unknown.
/// 2. 2xx → success, or unknown when the body does not decode (it executed; what it did is unread).
/// 3. `Stripe-Should-Retry: true` → retryable.
/// 4. 402 with `type: card_error` → declined (with `error.payment_intent` when present).
/// 5. 409, 429 → retryable, unless `Stripe-Should-Retry: false`: then unknown, because Stripe did
///    not say what happened and only a read-back is money-safe.
/// 6. 424 (an external dependency failed: Stripe may or may not have acted) → unknown.
/// 7. 401, 403 → retryable as `credentials_refused`: the key was refused before anything executed (nothing
///    saved); a configuration fault, never a customer's decline (`CredentialStatus` pauses the worker).
/// 8. 400 `idempotency_error` → unknown: every key is derived by the service, so the key was used for another
///    request; what happened is only known by reading back.
/// 9. Other 4xx (400, 404, a 402 that is not a card error) → rejected.
/// 10. 5xx, and anything else → unknown; a 5xx (or 424) replayed under its key (`Idempotent-Replayed: true`) is
///    marked `replayed`, since repeating the same key can only get it again.
public enum StripeClassifier {
    public static func classify<Value: Decodable & Sendable>(
        _ outcome: Result<CurlResponse, HTTPTransportError>, as type: Value.Type = Value.self
    ) -> StripeResult<Value> {
        switch outcome {
        case .failure(let error):
            let failure = StripeCallFailure(httpStatus: nil, code: error.code, message: error.message)
            return error.kind == .notSent ? .retryable(failure) : .unknown(failure)
        case .success(let response):
            return classify(status: response.status, headers: response.headers, body: response.body, as: type)
        }
    }

    /// `headers` with lower-cased names, as `CurlResponse` holds them.
    public static func classify<Value: Decodable & Sendable>(
        status: Int, headers: [String: String], body: [UInt8], as type: Value.Type = Value.self
    ) -> StripeResult<Value> {
        let requestId = headers["request-id"]
        if (200..<300).contains(status) { return decode(status: status, body: body, requestId: requestId) }

        let error = StripeErrorDecoding.error(from: body)
        let replayed = headers["idempotent-replayed"]?.lowercased() == "true"
        func failure(_ fallbackCode: String) -> StripeCallFailure {
            StripeCallFailure(
                httpStatus: status, code: error?.code ?? error?.type ?? fallbackCode,
                message: error?.message ?? "HTTP \(status)", requestId: requestId, replayed: replayed
            )
        }

        let shouldRetry = headers["stripe-should-retry"].flatMap { Bool($0.lowercased()) }
        if shouldRetry == true {
            return .retryable(failure("should_retry"))
        }
        switch status {
        case 402 where error?.type == "card_error":
            return .declined(error!, paymentIntent: StripeErrorDecoding.paymentIntent(from: body))
        case 409, 429:
            let code = status == 409 ? "conflict" : "rate_limited"
            return shouldRetry == false ? .unknown(failure(code)) : .retryable(failure(code))
        case 424:
            return .unknown(failure("external_dependency_failed"))
        case 400..<500:
            if let keyFault: StripeResult<Value> = keyFault(status: status, error: error, requestId: requestId) { return keyFault }
            return .rejected(status: status, error ?? StripeErrorBody(
                type: "invalid_request_error", code: "http_\(status)",
                message: "HTTP \(status) without a Stripe error body"
            ))
        default:
            return .unknown(failure("http_\(status)"))
        }
    }
}

extension StripeClassifier {
    /// A refused secret key (401, 403) or one of our idempotency keys used for another request: neither is a
    /// refusal of the request itself.
    static func keyFault<Value: Sendable>(status: Int, error: StripeErrorBody?, requestId: String?) -> StripeResult<Value>? {
        let message = error?.message ?? "HTTP \(status)"
        if status == 401 || status == 403 {
            return .retryable(StripeCallFailure(httpStatus: status, code: "credentials_refused", message: message, requestId: requestId))
        }
        guard status == 400, error?.type == "idempotency_error" else { return nil }
        return .unknown(StripeCallFailure(httpStatus: status, code: "idempotency_error", message: message, requestId: requestId))
    }

    /// A 2xx: the object, or a protocol fault when the body cannot be read (it executed; what it did is unread).
    static func decode<Value: Decodable & Sendable>(status: Int, body: [UInt8], requestId: String?) -> StripeResult<Value> {
        do {
            return .success(try JSONDecoder().decode(Value.self, from: Data(body)))
        } catch {
            return .unknown(StripeCallFailure(
                httpStatus: status, code: StripeCallFailure.unreadable,
                message: "a \(status) answer whose body is not a \(Value.self): \(describe(error))", requestId: requestId
            ))
        }
    }

    /// Names the field a decoding failure is about, for the log line and `lastError` of a protocol fault.
    static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _)?: "it lacks `\(key.stringValue)`"
        case .valueNotFound(_, let context)?, .typeMismatch(_, let context)?, .dataCorrupted(let context)?:
            "`\(context.codingPath.map(\.stringValue).joined(separator: "."))` is unreadable"
        default: "\(error)"
        }
    }
}

/// Reads Stripe's `{"error": {…}}` body.
enum StripeErrorDecoding {
    private struct Envelope: Decodable {
        var error: StripeErrorBody
    }

    private struct IntentEnvelope: Decodable {
        struct Inner: Decodable {
            var paymentIntent: StripePaymentIntent?
            enum CodingKeys: String, CodingKey { case paymentIntent = "payment_intent" }
        }
        var error: Inner
    }

    static func error(from body: [UInt8]) -> StripeErrorBody? {
        try? JSONDecoder().decode(Envelope.self, from: Data(body)).error
    }

    /// Decoded apart from the error itself, so an intent this client cannot read does not hide the decline.
    static func paymentIntent(from body: [UInt8]) -> StripePaymentIntent? {
        (try? JSONDecoder().decode(IntentEnvelope.self, from: Data(body)))?.error.paymentIntent
    }
}
