import Payments
import StripeGateway

/// The pure rules for an authorization's processor answers (`architecture.md`, step 4: classify).
public enum AuthorizationDecision: Sendable, Equatable {
    case finish(AuthorizationOutcome)
    /// Use this intent from now on, and confirm it.
    case confirm(intentId: String)
    /// Nothing happened (or it is unknown whether a create did): try again later; a create whose
    /// outcome is unknown moves to a fresh key, since the intent it may have made is unconfirmed and harmless.
    case retry(reason: String, freshCreateKey: Bool)
    /// It may have executed: read the intent back by id before deciding anything.
    case readBack(reason: String)
    /// The confirm's key replays a saved 500: read back, and if the intent is still unconfirmed (nothing
    /// happened) move to the next confirm key, since this one can only answer the same 500.
    case readBackReplayed(reason: String)
    /// A saved 500 proved harmless (the intent is still unconfirmed): confirm again under the next key.
    case nextConfirmKey(reason: String)
    /// The processor's answer cannot be read (a field a decision needs is missing): a bounded number of
    /// attempts, then the operation is parked.
    case protocolFault(reason: String)

    public static func afterCreate(_ result: StripeResult<StripePaymentIntent>) -> AuthorizationDecision {
        switch result {
        case .success(let intent): .confirm(intentId: intent.id)
        case .retryable(let failure): .retry(reason: failure.description, freshCreateKey: false)
        case .unknown(let failure): .retry(reason: failure.description, freshCreateKey: true)
        case .declined(let error, _): .finish(failed(error, reference: nil))
        case .rejected(_, let error): .finish(.failed(.processingError, declineCode: error.code ?? error.type, reference: nil))
        }
    }

    public static func afterConfirm(_ result: StripeResult<StripePaymentIntent>, intentId: String) -> AuthorizationDecision {
        switch result {
        case .success(let intent): afterReadBack(intent)
        case .declined(let error, _): .finish(failed(error, reference: intentId))
        case .rejected(_, let error) where error.code == "payment_intent_unexpected_state":
            // Confirmed already (by an earlier attempt whose answer was lost) or cancelled: ask.
            .readBack(reason: "confirm refused: \(error.message ?? "unexpected state")")
        case .rejected(_, let error):
            .finish(.failed(.processingError, declineCode: error.code ?? error.type, reference: intentId))
        case .retryable(let failure): .retry(reason: failure.description, freshCreateKey: false)
        case .unknown(let failure) where failure.replayed: .readBackReplayed(reason: failure.description)
        case .unknown(let failure): .readBack(reason: failure.description)
        }
    }

    /// What an intent read by id decides. Never FAILED without the processor saying so.
    public static func afterReadBack(_ intent: StripePaymentIntent) -> AuthorizationDecision {
        switch IntentVerdict(intent) {
        case .authorized: .finish(.authorized(reference: intent.id))
        case .captured(let amount): .finish(.captured(reference: intent.id, amount: amount))
        case .declined(let reason, let code): .finish(.failed(reason, declineCode: code, reference: intent.id))
        case .canceled: .finish(.voided(reference: intent.id))
        case .notConfirmed: .confirm(intentId: intent.id)
        case .processing: .retry(reason: "intent \(intent.id) is processing", freshCreateKey: false)
        case .unreadable(let field): .protocolFault(reason: "intent \(intent.id) (\(intent.status.rawValue)) lacks `\(field)`")
        }
    }

    static func failed(_ error: StripeErrorBody, reference: String?) -> AuthorizationOutcome {
        .failed(FailureReason(declineCode: error.declineCode, code: error.code), declineCode: error.declineCode ?? error.code,
                reference: reference)
    }
}
