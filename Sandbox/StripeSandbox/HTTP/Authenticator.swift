import Foundation
import Hummingbird

/// Stripe's auth: `Authorization: Bearer sk_test_…` or HTTP basic with the key as the user name.
/// Any test-mode secret or restricted key is accepted; anything else is Stripe's 401.
enum Authenticator {
    static func apiKey(from headers: HTTPFields) throws(StripeError) -> String {
        guard let header = headers[.authorization]?.trimmingCharacters(in: .whitespaces), !header.isEmpty else {
            throw .missingAPIKey
        }
        let key: String
        if let token = value(of: header, scheme: "bearer") {
            key = token
        } else if let encoded = value(of: header, scheme: "basic") {
            guard let data = Data(base64Encoded: encoded), let credentials = String(data: data, encoding: .utf8) else {
                throw .invalidAPIKey(encoded)
            }
            key = String(credentials.prefix { $0 != ":" })
        } else {
            throw .invalidAPIKey(header)
        }
        guard key.isEmpty == false else { throw .missingAPIKey }
        guard (key.hasPrefix("sk_test_") || key.hasPrefix("rk_test_")) && key.count > 8 else {
            throw .invalidAPIKey(key)
        }
        return key
    }

    private static func value(of header: String, scheme: String) -> String? {
        guard header.lowercased().hasPrefix(scheme + " ") else { return nil }
        return header.dropFirst(scheme.count + 1).trimmingCharacters(in: .whitespaces)
    }
}
