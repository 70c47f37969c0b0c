@testable import Payments
import StripeModels
import Testing

/// What an intent read from the processor says (every `StripePaymentIntent.Status`).
@Suite struct IntentVerdictTests {
    typealias F = OperationFixtures

    struct Row: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var intent: StripePaymentIntent
        var verdict: IntentVerdict
    }

    static let table: [Row] = [
        Row(testDescription: "requires_capture", intent: F.intent(.requiresCapture, capturable: 4999),
            verdict: .authorized),
        Row(testDescription: "succeeded", intent: F.intent(.succeeded, received: 4999, captureMethod: "automatic"),
            verdict: .captured(amountReceived: 4999)),
        Row(testDescription: "succeeded, partly received", intent: F.intent(.succeeded, received: 1200),
            verdict: .captured(amountReceived: 1200)),
        Row(testDescription: "canceled", intent: F.intent(.canceled), verdict: .canceled),
        Row(testDescription: "processing", intent: F.intent(.processing), verdict: .processing),
        Row(testDescription: "requires_confirmation", intent: F.intent(.requiresConfirmation), verdict: .notConfirmed),
        Row(testDescription: "requires_payment_method, no error (fresh, unconfirmed)", intent: F.intent(.requiresPaymentMethod),
            verdict: .notConfirmed),
        Row(testDescription: "requires_payment_method, insufficient_funds",
            intent: F.intent(.requiresPaymentMethod, error: F.cardError("insufficient_funds")),
            verdict: .declined(.insufficientFunds, declineCode: "insufficient_funds")),
        Row(testDescription: "requires_payment_method, generic_decline",
            intent: F.intent(.requiresPaymentMethod, error: F.cardError("generic_decline")),
            verdict: .declined(.cardDeclined, declineCode: "generic_decline")),
        Row(testDescription: "requires_payment_method, fraudulent",
            intent: F.intent(.requiresPaymentMethod, error: F.cardError("fraudulent")),
            verdict: .declined(.cardDeclined, declineCode: "fraudulent")),
        Row(testDescription: "requires_payment_method, expired_card as code",
            intent: F.intent(.requiresPaymentMethod, error: F.cardError(nil, code: "expired_card")),
            verdict: .declined(.expiredCard, declineCode: "expired_card")),
        Row(testDescription: "requires_payment_method, processing_error as code",
            intent: F.intent(.requiresPaymentMethod, error: F.cardError(nil, code: "processing_error")),
            verdict: .declined(.processingError, declineCode: "processing_error")),
        Row(testDescription: "requires_payment_method, incorrect_cvc as code",
            intent: F.intent(.requiresPaymentMethod, error: F.cardError(nil, code: "incorrect_cvc")),
            verdict: .declined(.cardDeclined, declineCode: "incorrect_cvc")),
        Row(testDescription: "requires_payment_method, error without codes",
            intent: F.intent(.requiresPaymentMethod, error: StripeErrorBody(type: "card_error")),
            verdict: .declined(.cardDeclined, declineCode: nil)),
        Row(testDescription: "requires_action, no error, no next_action: waiting, but unreadable", intent: F.intent(.requiresAction),
            verdict: .requiresAction(nil)),
        Row(testDescription: "requires_action with next_action and client_secret: waiting for the customer",
            intent: {
                var intent = F.intent(.requiresAction)
                intent.nextActionType = "use_stripe_sdk"
                intent.clientSecret = "pi_1_secret_2"
                return intent
            }(),
            verdict: .requiresAction(NextAction(type: "use_stripe_sdk", clientSecret: "pi_1_secret_2"))),
        Row(testDescription: "requires_action, with an error",
            intent: F.intent(.requiresAction, error: F.cardError(nil, code: "authentication_required")),
            verdict: .declined(.cardDeclined, declineCode: "authentication_required")),
    ]

    @Test(arguments: table)
    func verdict(row: Row) {
        #expect(IntentVerdict(row.intent) == row.verdict)
    }

    @Test func everyStatusIsInTheTable() {
        let all: [StripePaymentIntent.Status] = [
            .requiresPaymentMethod, .requiresConfirmation, .requiresAction, .processing, .requiresCapture, .succeeded, .canceled,
        ]
        #expect(Set(Self.table.map(\.intent.status.rawValue)) == Set(all.map(\.rawValue)))
    }

    @Test(arguments: [StripePaymentIntent.Status.requiresCapture, .succeeded, .canceled, .processing, .requiresConfirmation])
    func aStaleErrorDoesNotOverrideAStatusThatMovedOn(status: StripePaymentIntent.Status) {
        // An intent declined once and then confirmed again still carries the old last_payment_error.
        let verdict = IntentVerdict(F.intent(status, capturable: 4999, error: F.cardError("generic_decline")))
        if case .declined = verdict { Issue.record("\(status) read as declined") }
    }
}
