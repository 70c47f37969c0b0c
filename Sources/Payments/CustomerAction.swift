/// What the customer must do before a customer-present authorization can finish: Stripe.js completes it
/// (`handleNextAction` with the client secret). Shown in API answers only, never in events or logs.
public struct NextAction: Sendable, Equatable {
    /// Stripe's `next_action.type` (`use_stripe_sdk` for a card challenge).
    public var type: String
    public var clientSecret: String

    public init(type: String, clientSecret: String) {
        self.type = type
        self.clientSecret = clientSecret
    }
}

/// How long a customer has to authenticate, and how often the processor is asked meanwhile.
public struct AuthenticationPolicy: Sendable, Equatable {
    /// `AUTHENTICATION_TIMEOUT`: then the intent is cancelled (`abandoned`) and the payment fails.
    public var timeout: Duration
    /// A read-back while the customer has not answered, in case no webhook comes.
    public var recheck: Duration

    public init(timeout: Duration = .seconds(900), recheck: Duration = .seconds(30)) {
        self.timeout = timeout
        self.recheck = recheck
    }

    /// The Stripe `cancellation_reason` of an authentication the service gave up on.
    public static let abandonedReason = "abandoned"
    /// The `declineCode` of a payment whose customer never finished authenticating.
    public static let abandonedDeclineCode = "authentication_abandoned"
}
