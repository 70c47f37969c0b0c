import Crypto
import Support

/// Stripe's webhook signature scheme (`stripe.md`, "Webhooks"): header
/// `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`, each `v1` the lower-case hex
/// HMAC-SHA256, keyed with a whole `whsec_…` secret, of `"<t>." + <raw body bytes>`.
public enum WebhookSignature {
    public static let defaultTolerance = 300

    /// Signs like Stripe: one `v1` per secret (two during a rotation), in the order given.
    public static func header(payload: [UInt8], secrets: [String], timestamp: Int) -> String {
        var header = "t=\(timestamp)"
        for secret in secrets {
            header += ",v1=" + Hex.encode(signature(payload: payload, secret: secret, timestamp: timestamp))
        }
        return header
    }

    /// Accepts when any `v1` matches any of `secrets` (compared in constant time) and
    /// `|now - t| ≤ tolerance`. `payload` must be the body exactly as received.
    public static func verify(
        payload: [UInt8], header: String?, secrets: [String], now: Int, tolerance: Int = defaultTolerance
    ) throws(WebhookSignatureError) {
        guard let header, header.contains(where: { !$0.isWhitespace }) else {
            throw WebhookSignatureError(.missingHeader, "no Stripe-Signature header")
        }
        let parsed = try ParsedHeader(header)

        let message = signedMessage(payload: payload, timestamp: parsed.timestamp)
        let matched = secrets.contains { secret in
            parsed.signatures.contains { HMAC<SHA256>.isValidAuthenticationCode($0, authenticating: message, using: key(secret)) }
        }
        guard matched else {
            throw WebhookSignatureError(.noMatchingSignature, "no v1 signature matches a configured secret")
        }
        if now - parsed.timestamp > tolerance {
            throw WebhookSignatureError(.staleTimestamp, "signed \(now - parsed.timestamp) s ago, tolerance \(tolerance) s")
        }
        if parsed.timestamp - now > tolerance {
            throw WebhookSignatureError(.futureTimestamp, "signed \(parsed.timestamp - now) s ahead, tolerance \(tolerance) s")
        }
    }

    static func signature(payload: [UInt8], secret: String, timestamp: Int) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: signedMessage(payload: payload, timestamp: timestamp), using: key(secret)))
    }

    private static func signedMessage(payload: [UInt8], timestamp: Int) -> [UInt8] { Array("\(timestamp).".utf8) + payload }

    private static func key(_ secret: String) -> SymmetricKey { SymmetricKey(data: Array(secret.utf8)) }
}

/// `t=…,v1=…,v1=…`; other schemes (`v0`) and unknown items are ignored, as Stripe's libraries do, and so is a `v1`
/// that is not hexadecimal (it can match nothing).
private struct ParsedHeader {
    var timestamp: Int
    var signatures: [[UInt8]]

    init(_ header: String) throws(WebhookSignatureError) {
        var timestamp: Int?
        var signatures: [[UInt8]] = []
        for item in header.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmingWhitespace()
            let value = parts[1].trimmingWhitespace()
            if key == "t", timestamp == nil {
                guard !value.isEmpty, value.allSatisfy(\.isASCIIDigit), let seconds = Int(value) else {
                    throw WebhookSignatureError(.malformedHeader, "t is not a Unix time in seconds")
                }
                timestamp = seconds
            } else if key == "v1", !value.isEmpty {
                signatures.append(Hex.decode(value) ?? [])
            }
        }
        guard let timestamp else {
            throw WebhookSignatureError(.malformedHeader, "no t= timestamp")
        }
        guard !signatures.isEmpty else {
            throw WebhookSignatureError(.malformedHeader, "no v1= signature")
        }
        self.timestamp = timestamp
        self.signatures = signatures
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
