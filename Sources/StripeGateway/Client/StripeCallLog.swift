import Logging
import Telemetry

/// The one log line per Stripe call. Built from the method, the path and what came back only, so
/// the secret key (which travels in the `Authorization` header) cannot reach a log.
enum StripeCallLog {
    static func log<Value: Sendable>(
        _ logger: Logger, method: String, path: String, idempotencyKey: String?,
        outcome: Result<CurlResponse, HTTPTransportError>, result: StripeResult<Value>, duration: Duration
    ) {
        var metadata: Logger.Metadata = [
            "stripe.method": "\(method)",
            "stripe.path": "\(path)",
            "stripe.duration_ms": "\(duration.milliseconds)",
            "stripe.outcome": "\(result.outcomeName)",
        ]
        if let idempotencyKey {
            metadata["stripe.idempotency_key"] = "\(idempotencyKey)"
        }
        let level: Logger.Level
        switch outcome {
        case .success(let response):
            metadata["stripe.status"] = "\(response.status)"
            if let requestId = response.headers["request-id"] {
                metadata["stripe.request_id"] = "\(requestId)"
            }
            if response.headers["idempotent-replayed"] == "true" {
                metadata["stripe.idempotent_replayed"] = "true"
            }
            level = response.status >= 500 ? .warning : .info
        case .failure(let error):
            metadata["stripe.transport_error"] = "\(error.code)"
            metadata["stripe.transport_detail"] = "\(error.message)"
            level = .warning
        }
        logger.log(level: level, "stripe call", metadata: metadata)
    }
}

extension StripeCallLog {
    /// The same facts on the call's span, by OpenTelemetry's HTTP names where there is one.
    static func annotate<Value: Sendable>(
        _ span: any Span, path: String, idempotencyKey: String?, outcome: Result<CurlResponse, HTTPTransportError>,
        result: StripeResult<Value>
    ) {
        guard span.isRecording else { return }
        span.updateAttributes { attributes in
            attributes["url.path"] = path
            attributes["stripe.outcome"] = result.outcomeName
            attributes["stripe.idempotency_key"] = idempotencyKey
            switch outcome {
            case .success(let response):
                attributes["http.response.status_code"] = response.status
                attributes["stripe.request_id"] = response.headers["request-id"]
                attributes["stripe.idempotent_replayed"] = response.headers["idempotent-replayed"] == "true"
            case .failure(let error):
                attributes["error.type"] = error.code
            }
        }
        if result.outcomeName == "unknown" || result.outcomeName == "retryable" {
            span.setStatus(SpanStatus(code: .error, message: result.outcomeName))
        }
    }
}

extension StripeResult {
    /// `success`, `declined`, `rejected`, `retryable` or `unknown`.
    public var outcomeName: String {
        switch self {
        case .success: "success"
        case .declined: "declined"
        case .rejected: "rejected"
        case .retryable: "retryable"
        case .unknown: "unknown"
        }
    }
}
