/// The rules of an uncaptured hold's deadline (`authorizationExpiresAt`, from the processor's `capture_before`).
public struct HoldExpiry: Sendable, Equatable {
    public enum Policy: String, Sendable, CaseIterable {
        /// Let the processor drop the hold; the payment turns VOIDED (`EXPIRED`) when it says so.
        case leave
        /// Void it `voidLead` before the deadline (`EXPIRY_POLICY`).
        case void
    }

    /// `EXPIRY_WARNING`: how long before the deadline `payment-authorization-expiring` is published.
    public var warning: Duration
    /// `EXPIRED_HOLD_POLICY`.
    public var policy: Policy
    /// How long before the deadline the `void` policy releases the hold.
    public var voidLead: Duration

    public init(warning: Duration = .seconds(86_400), policy: Policy = .leave, voidLead: Duration = .seconds(3_600)) {
        self.warning = warning
        self.policy = policy
        self.voidLead = voidLead
    }

    /// The capture refusal of a payment whose hold is gone or past its deadline (`now` and the deadline are RFC 3339
    /// UTC timestamps of one format, so they compare as text); nil when a capture may go ahead.
    public static func captureRefusal(_ payment: Payment, now: String) -> String? {
        if payment.status == .voided, payment.voidReason == .expired {
            return "the authorization expired\(payment.authorizationExpiresAt.map { " at \($0)" } ?? ""): the processor released the hold"
        }
        guard payment.status == .authorized, let deadline = payment.authorizationExpiresAt, deadline <= now else { return nil }
        return "the authorization expired at \(deadline): the hold can no longer be captured"
    }
}

extension HoldExpiry {
    /// The warning of a hold nearing its deadline; nil for a payment with no hold or no deadline.
    public static func warning(for payment: Payment, at time: String) -> DomainEvent? {
        guard payment.status == .authorized, let deadline = payment.authorizationExpiresAt else { return nil }
        return .paymentAuthorizationExpiring(
            paymentId: payment.paymentId, orderId: payment.orderId, amount: payment.amount, currency: payment.currency,
            expiresAt: deadline, warnedAt: time)
    }
}
