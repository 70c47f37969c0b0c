import StripeModels

/// When a payment's status and its intent's agree, and where the intent's status would move the payment.
///
/// REQUESTED ↔ not confirmed (or processing); REQUIRES_ACTION ↔ `requires_action`; AUTHORIZED ↔ `requires_capture`;
/// CAPTURED ↔ `succeeded`; VOIDED and FAILED ↔ any intent that neither holds nor took money (`canceled`, a decline, or
/// never confirmed: a create refused before its confirm leaves one so), as the contract's ledger reads them.
public enum StatusAgreement {
    public static func agrees(_ status: PaymentStatus, _ intent: StripePaymentIntent) -> Bool {
        switch (status, IntentVerdict(intent)) {
        case (.requested, .notConfirmed), (.requested, .processing), (.requiresAction, .requiresAction), (.authorized, .authorized),
            (.captured, .captured):
            true
        case (.voided, let verdict), (.failed, let verdict):
            !holdsOrTookMoney(verdict)
        default:
            false
        }
    }

    /// The status the intent proves for the payment; nil when it proves none (not confirmed, processing, unreadable).
    /// A cancelled intent is a void (an abandoned authentication is a failure: both move the same way).
    public static func provenStatus(_ intent: StripePaymentIntent) -> PaymentStatus? {
        switch IntentVerdict(intent) {
        case .authorized: .authorized
        case .captured: .captured
        case .declined: .failed
        case .canceled: .voided
        case .requiresAction: .requiresAction
        case .notConfirmed, .processing, .unreadable: nil
        }
    }

    /// Whether recording what the intent says moves the payment forward (the only moves a heal may make).
    public static func isForward(_ status: PaymentStatus, _ intent: StripePaymentIntent) -> Bool {
        provenStatus(intent).map { status.canMove(to: $0) } ?? false
    }

    public static func holdsOrTookMoney(_ intent: StripePaymentIntent) -> Bool { holdsOrTookMoney(IntentVerdict(intent)) }

    private static func holdsOrTookMoney(_ verdict: IntentVerdict) -> Bool {
        switch verdict {
        case .authorized, .captured, .processing: true
        case .unreadable, .declined, .canceled, .notConfirmed, .requiresAction: false
        }
    }
}
