public struct SandboxConfiguration: Sendable {
    public var host: String
    /// 0 binds an ephemeral port (reported through `onListening`).
    public var port: Int
    /// Where Stripe Events are POSTed; nil sends none.
    public var webhookURL: String?
    /// The `whsec_…` secret events are signed with.
    public var webhookSecret: String?
    public var faults: FaultPlan

    public init(
        host: String = "127.0.0.1", port: Int = 12111, webhookURL: String? = nil, webhookSecret: String? = nil,
        faults: FaultPlan = FaultPlan()
    ) {
        self.host = host
        self.port = port
        self.webhookURL = webhookURL
        self.webhookSecret = webhookSecret
        self.faults = faults
    }
}
