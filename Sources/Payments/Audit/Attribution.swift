/// Who made a write, and why: recorded as `createdBy` on payments and refunds, as the actor of the operations
/// they queue, and in the audit log. The actor is a credential's name, `token:<8 hex>` for a plain token, or
/// one of the service's own parts (`reconciliation`, `sandbox` when authentication is off).
public struct Attribution: Sendable, Equatable {
    public var actor: String
    /// The caller's `X-Reason`, at most `maxReasonLength` characters.
    public var reason: String?
    /// The HTTP request's `X-Request-Id`.
    public var requestId: String?

    public static let maxReasonLength = 500
    public static let reconciliation = Attribution(actor: "reconciliation")
    /// `EXPIRED_HOLD_POLICY=void`'s voids.
    public static let expiryPolicy = Attribution(actor: "expiry-policy")
    /// A write made with authentication off (sandbox mode only), where no credential names the caller.
    public static let unauthenticated = Attribution(actor: "sandbox")

    public init(actor: String, reason: String? = nil, requestId: String? = nil) {
        self.actor = actor
        self.reason = reason
        self.requestId = requestId
    }
}
