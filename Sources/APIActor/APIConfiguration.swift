public struct APIConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Accepted bearer tokens; empty turns authentication off (sandbox mode only).
    public var tokens: [String]
    public var defaultPaymentMethod: String?
    /// `whsec_…` secrets accepted on `/webhooks/stripe` (several during a rotation).
    public var webhookSecrets: [String]

    public init(
        host: String = "127.0.0.1", port: Int = 8080, tokens: [String] = [], defaultPaymentMethod: String? = nil,
        webhookSecrets: [String] = []
    ) {
        self.webhookSecrets = webhookSecrets
        self.host = host
        self.port = port
        self.tokens = tokens
        self.defaultPaymentMethod = defaultPaymentMethod
    }
}
