/// Where and as whom `StripeClient` calls Stripe. Its description never shows the key.
public struct StripeConfiguration: Sendable, CustomStringConvertible {
    /// Pinned on every request (`Stripe-Version`).
    public static let apiVersion = "2024-10-28.acacia"
    public static let defaultAPIBase = "https://api.stripe.com"

    /// Scheme, host and optional port, no trailing `/v1` (e.g. `http://127.0.0.1:12112`).
    public var apiBase: String
    public var secretKey: String

    public init(secretKey: String, apiBase: String = StripeConfiguration.defaultAPIBase) {
        self.secretKey = secretKey
        var base = apiBase
        while base.hasSuffix("/") { base.removeLast() }
        self.apiBase = base
    }

    public var description: String { "StripeConfiguration(apiBase: \(apiBase), secretKey: <redacted>)" }
}
