import StripeModels

/// The pure rules for a capture or a void: what the processor's answer, or the intent read back, means.
public enum CaptureVoidDecision: Sendable, Equatable {
    /// The processor holds the intent in this final state: record it.
    case settled(AuthorizationOutcome)
    /// The processor refused for good: record `lastError`, then read the intent back for its real state.
    case refused(code: String, message: String)
    /// Nothing happened, or the intent still waits for this operation: try again later, same key.
    case retry(reason: String)
    /// It may have executed: read the intent back.
    case readBack(reason: String)
    /// The key replays a saved 500: read back, and if nothing happened move to the next key.
    case readBackReplayed(reason: String)
    /// A saved 500 proved harmless (the intent is unchanged): send again under the next key.
    case nextKey(reason: String)
    /// The answer lacks a field the decision needs: bounded attempts, then parked.
    case protocolFault(reason: String)

    public static func afterCall(_ result: StripeResult<StripePaymentIntent>) -> CaptureVoidDecision {
        switch result {
        case .success(let intent):
            afterReadBack(intent) ?? .readBack(reason: "intent \(intent.id) is \(intent.status.rawValue)")
        case .declined(let error, _), .rejected(_, let error):
            .refused(code: error.code ?? error.type, message: error.message ?? "refused by the processor")
        case .retryable(let failure): .retry(reason: failure.description)
        case .unknown(let failure) where failure.replayed: .readBackReplayed(reason: failure.description)
        case .unknown(let failure): .readBack(reason: failure.description)
        }
    }

    /// What an intent read back says: settled in a final state, unreadable, or nil while the operation is
    /// still to do (`requires_capture`).
    public static func afterReadBack(_ intent: StripePaymentIntent) -> CaptureVoidDecision? {
        switch intent.status {
        case .succeeded:
            guard let received = intent.amountReceived else {
                return .protocolFault(reason: "intent \(intent.id) (succeeded) lacks `amount_received`")
            }
            return .settled(.captured(reference: intent.id, amount: received))
        case .canceled: return .settled(.voided(reference: intent.id, expired: intent.cancellationReason == VoidReason.processorExpiry))
        default: return nil
        }
    }
}
