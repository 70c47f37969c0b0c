/// Why a VOIDED payment was voided, so Ordering can tell its own compensation from a hold the processor dropped.
public enum VoidReason: String, Sendable, Codable, CaseIterable {
    /// A void Ordering asked for.
    case client = "CLIENT"
    /// `EXPIRED_HOLD_POLICY=void`: the service released the hold an hour before it would expire.
    case expiryPolicy = "EXPIRY_POLICY"
    /// The processor dropped the hold (`charge.expired`, or the intent cancelled `automatic`).
    case expired = "EXPIRED"
    /// A void asked for while the customer's 3-D Secure authentication was still awaited.
    case authentication = "AUTHENTICATION"

    /// Stripe's `cancellation_reason` for an intent it cancelled itself, as it does when a hold expires.
    public static let processorExpiry = "automatic"

    /// The reason of a void asked for now by Ordering.
    public static func requested(on status: PaymentStatus) -> VoidReason {
        status == .requiresAction ? .authentication : .client
    }
}
