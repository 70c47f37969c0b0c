import StripeModels

/// What an intent read from the processor says about an authorization.
public enum IntentVerdict: Sendable, Equatable {
    /// The hold is placed (`requires_capture`).
    case authorized
    /// The processor's answer lacks a field this verdict needs: a protocol fault, never a default of 0.
    case unreadable(field: String)
    /// Charged (`succeeded`): automatic capture, or captured already.
    case captured(amountReceived: Int)
    /// The confirmation was declined: the intent is back in `requires_payment_method` with an error.
    case declined(FailureReason, declineCode: String?)
    case canceled
    /// Not confirmed yet: confirming (again, same key) is safe.
    case notConfirmed
    /// The processor is still working on it: read it again later.
    case processing
    /// Confirmed on session, waiting for the customer's authentication (nil: the answer lacks
    /// `next_action.type` or `client_secret`).
    case requiresAction(NextAction?)

    public init(_ intent: StripePaymentIntent) {
        switch intent.status {
        case .requiresCapture: self = .authorized
        case .succeeded: self = intent.amountReceived.map { .captured(amountReceived: $0) } ?? .unreadable(field: "amount_received")
        case .canceled: self = .canceled
        case .processing: self = .processing
        case .requiresConfirmation: self = .notConfirmed
        case .requiresPaymentMethod, .requiresAction:
            if let error = intent.lastPaymentError {
                self = .declined(
                    FailureReason(declineCode: error.declineCode, code: error.code),
                    declineCode: error.declineCode ?? error.code)
            } else if intent.status == .requiresAction {
                self = .requiresAction(intent.nextActionType.flatMap { type in
                    intent.clientSecret.map { NextAction(type: type, clientSecret: $0) }
                })
            } else {
                self = .notConfirmed
            }
        }
    }
}
