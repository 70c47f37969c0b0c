public struct APIConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Accepted bearer credentials; none turns authentication off (sandbox mode only).
    public var credentials: Credentials
    public var defaultPaymentMethod: String?
    /// `whsec_…` secrets accepted on `/webhooks/stripe` (several during a rotation).
    public var webhookSecrets: [String]
    /// Renders `GET /metrics` (the Prometheus text); the backend belongs to the App.
    public var metrics: @Sendable () async -> [UInt8]
    /// Where the processor stands, for `/health/ready`'s `processor` field (`ok`, `credentials_refused`).
    public var processorStatus: @Sendable () -> String
    /// `WEBHOOK_ALLOW_PRIVATE`: webhook endpoints may point at loopback, private and link-local addresses.
    public var webhookAllowPrivate: Bool

    public init(
        host: String = "127.0.0.1", port: Int = 8080, credentials: Credentials = .none, defaultPaymentMethod: String? = nil,
        webhookSecrets: [String] = [], metrics: @escaping @Sendable () async -> [UInt8] = { [] },
        processorStatus: @escaping @Sendable () -> String = { "ok" }, webhookAllowPrivate: Bool = false
    ) {
        self.webhookAllowPrivate = webhookAllowPrivate
        self.processorStatus = processorStatus
        self.webhookSecrets = webhookSecrets
        self.metrics = metrics
        self.host = host
        self.port = port
        self.credentials = credentials
        self.defaultPaymentMethod = defaultPaymentMethod
    }
}
