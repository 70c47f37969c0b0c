import Payments
import StripeGateway

/// The pure rules for a capture or a void: what the processor's answer, or the intent read back, means.
public enum IntentOperationDecision: Sendable, Equatable {
    /// The processor holds the intent in this final state: record it.
    case settled(AuthorizationOutcome)
    /// The processor refused for good: record `lastError`, then read the intent back for its real state.
    case refused(code: String, message: String)
    /// Nothing happened, or the intent still waits for this operation: try again later, same key.
    case retry(reason: String)
    /// It may have executed: read the intent back.
    case readBack(reason: String)

    public static func afterCall(_ result: StripeResult<StripePaymentIntent>) -> IntentOperationDecision {
        switch result {
        case .success(let intent):
            settledState(intent).map(IntentOperationDecision.settled) ?? .readBack(reason: "intent \(intent.id) is \(intent.status.rawValue)")
        case .declined(let error, _), .rejected(_, let error):
            .refused(code: error.code ?? error.type, message: error.message ?? "refused by the processor")
        case .retryable(let failure): .retry(reason: failure.description)
        case .unknown(let failure): .readBack(reason: failure.description)
        }
    }

    /// The state an intent read back settles the payment in, or nil while the operation is still to do.
    public static func settledState(_ intent: StripePaymentIntent) -> AuthorizationOutcome? {
        switch intent.status {
        case .succeeded: .captured(reference: intent.id, amount: intent.amountReceived)
        case .canceled: .voided(reference: intent.id)
        default: nil
        }
    }
}
