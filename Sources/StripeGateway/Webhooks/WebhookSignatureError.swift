/// Why a `Stripe-Signature` was refused. The API answers 400 for every code; the code is for logs.
public struct WebhookSignatureError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        case missingHeader = "missing_header"
        /// No `t=<integer>`, or no `v1=` value.
        case malformedHeader = "malformed_header"
        /// Signed longer ago than the tolerance.
        case staleTimestamp = "stale_timestamp"
        /// Signed further in the future than the tolerance.
        case futureTimestamp = "future_timestamp"
        /// No `v1` matches any configured secret.
        case noMatchingSignature = "no_matching_signature"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
