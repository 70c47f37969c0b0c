@testable import Payments
import StripeModels
import Testing

/// The classification of the authorization's processor answers (`architecture.md` step 4; `stripe.md`,
/// "Retries and unknown outcomes"): never FAILED without the processor saying so.
@Suite struct AuthorizationDecisionTests {
    typealias F = OperationFixtures
    typealias Result = StripeResult<StripePaymentIntent>

    /// A decision with the free-text reasons left out, to compare by table.
    enum Shape: Equatable, Sendable, CustomStringConvertible {
        case finish(AuthorizationOutcome)
        case confirm(String)
        case retry(freshCreateKey: Bool)
        case readBack
        case readBackReplayed
        case nextConfirmKey
        case protocolFault
        case findCreated
        case awaitCustomer
        case abandon

        init(_ decision: AuthorizationDecision) {
            switch decision {
            case .finish(let outcome): self = .finish(outcome)
            case .confirm(let id): self = .confirm(id)
            case .retry(_, let fresh): self = .retry(freshCreateKey: fresh)
            case .readBack: self = .readBack
            case .readBackReplayed: self = .readBackReplayed
            case .nextConfirmKey: self = .nextConfirmKey
            case .protocolFault: self = .protocolFault
            case .findCreated: self = .findCreated
            case .awaitCustomer: self = .awaitCustomer
            case .abandon: self = .abandon
            }
        }

        var description: String {
            switch self {
            case .finish(let outcome): "finish(\(outcome))"
            case .confirm(let id): "confirm(\(id))"
            case .retry(let fresh): "retry(fresh: \(fresh))"
            case .readBack: "readBack"
            case .readBackReplayed: "readBackReplayed"
            case .nextConfirmKey: "nextConfirmKey"
            case .protocolFault: "protocolFault"
            case .findCreated: "findCreated"
            case .awaitCustomer: "awaitCustomer"
            case .abandon: "abandon"
            }
        }
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var result: Result
        var expected: Shape
    }

    // MARK: create (unconfirmed: no money moves)

    static let createTable: [Row] = [
        Row(testDescription: "success: confirm the new intent", result: .success(F.intent(.requiresPaymentMethod, id: "pi_new")),
            expected: .confirm("pi_new")),
        Row(testDescription: "retryable: same key", result: .retryable(F.notSent), expected: .retry(freshCreateKey: false)),
        Row(testDescription: "retryable 429: same key", result: .retryable(F.rateLimited), expected: .retry(freshCreateKey: false)),
        // The same key replays a dropped answer's truth, and a first 500 comes back marked replayed.
        Row(testDescription: "unknown 500: same key", result: .unknown(F.serverError), expected: .retry(freshCreateKey: false)),
        Row(testDescription: "unknown time-out: same key", result: .unknown(F.timedOut), expected: .retry(freshCreateKey: false)),
        Row(testDescription: "replayed 500: search for the intent", result: .unknown(F.replayedServerError), expected: .findCreated),
        Row(testDescription: "unreadable 2xx: a protocol fault, same key", result: .unknown(F.unreadable), expected: .protocolFault),
        Row(testDescription: "rejected amount_too_small", result: .rejected(status: 400, F.requestError("amount_too_small", param: "amount")),
            expected: .finish(.failed(.processingError, declineCode: "amount_too_small", reference: nil))),
        Row(testDescription: "rejected resource_missing", result: .rejected(status: 400, F.requestError("resource_missing")),
            expected: .finish(.failed(.processingError, declineCode: "resource_missing", reference: nil))),
        Row(testDescription: "rejected without a code: its type", result: .rejected(status: 401, F.requestError(nil)),
            expected: .finish(.failed(.processingError, declineCode: "invalid_request_error", reference: nil))),
        Row(testDescription: "declined", result: .declined(F.cardError("insufficient_funds"), paymentIntent: nil),
            expected: .finish(.failed(.insufficientFunds, declineCode: "insufficient_funds", reference: nil))),
    ]

    @Test(arguments: createTable)
    func afterCreate(row: Row) {
        #expect(Shape(AuthorizationDecision.afterCreate(row.result)) == row.expected)
    }

    // MARK: confirm (moves money)

    static let confirmTable: [Row] = [
        Row(testDescription: "success: requires_capture", result: .success(F.intent(.requiresCapture, capturable: 4999)),
            expected: .finish(.authorized(reference: F.intentId))),
        Row(testDescription: "success: succeeded (automatic capture)",
            result: .success(F.intent(.succeeded, received: 4999, captureMethod: "automatic")),
            expected: .finish(.captured(reference: F.intentId, amount: 4999))),
        Row(testDescription: "success: processing", result: .success(F.intent(.processing)), expected: .retry(freshCreateKey: false)),
        Row(testDescription: "success: canceled", result: .success(F.intent(.canceled)), expected: .finish(.voided(reference: F.intentId))),
        Row(testDescription: "success: requires_confirmation", result: .success(F.intent(.requiresConfirmation)),
            expected: .confirm(F.intentId)),
        Row(testDescription: "declined generic_decline", result: .declined(F.cardError("generic_decline"), paymentIntent: nil),
            expected: .finish(.failed(.cardDeclined, declineCode: "generic_decline", reference: F.intentId))),
        Row(testDescription: "declined insufficient_funds",
            result: .declined(F.cardError("insufficient_funds"), paymentIntent: F.intent(.requiresPaymentMethod)),
            expected: .finish(.failed(.insufficientFunds, declineCode: "insufficient_funds", reference: F.intentId))),
        Row(testDescription: "declined lost_card", result: .declined(F.cardError("lost_card"), paymentIntent: nil),
            expected: .finish(.failed(.cardDeclined, declineCode: "lost_card", reference: F.intentId))),
        Row(testDescription: "declined stolen_card", result: .declined(F.cardError("stolen_card"), paymentIntent: nil),
            expected: .finish(.failed(.cardDeclined, declineCode: "stolen_card", reference: F.intentId))),
        Row(testDescription: "declined fraudulent", result: .declined(F.cardError("fraudulent"), paymentIntent: nil),
            expected: .finish(.failed(.cardDeclined, declineCode: "fraudulent", reference: F.intentId))),
        Row(testDescription: "declined expired_card (code only)", result: .declined(F.cardError(nil, code: "expired_card"), paymentIntent: nil),
            expected: .finish(.failed(.expiredCard, declineCode: "expired_card", reference: F.intentId))),
        Row(testDescription: "declined incorrect_cvc (code only)", result: .declined(F.cardError(nil, code: "incorrect_cvc"), paymentIntent: nil),
            expected: .finish(.failed(.cardDeclined, declineCode: "incorrect_cvc", reference: F.intentId))),
        Row(testDescription: "declined processing_error (code only)",
            result: .declined(F.cardError(nil, code: "processing_error"), paymentIntent: nil),
            expected: .finish(.failed(.processingError, declineCode: "processing_error", reference: F.intentId))),
        Row(testDescription: "declined authentication_required",
            result: .declined(F.cardError(nil, code: "authentication_required"), paymentIntent: nil),
            expected: .finish(.failed(.cardDeclined, declineCode: "authentication_required", reference: F.intentId))),
        Row(testDescription: "rejected payment_intent_unexpected_state: read back",
            result: .rejected(status: 400, F.requestError("payment_intent_unexpected_state")), expected: .readBack),
        Row(testDescription: "rejected resource_missing (unknown payment method)",
            result: .rejected(status: 400, F.requestError("resource_missing", param: "payment_method")),
            expected: .finish(.failed(.processingError, declineCode: "resource_missing", reference: F.intentId))),
        Row(testDescription: "rejected without a code: its type", result: .rejected(status: 400, F.requestError(nil)),
            expected: .finish(.failed(.processingError, declineCode: "invalid_request_error", reference: F.intentId))),
        Row(testDescription: "retryable: same key", result: .retryable(F.notSent), expected: .retry(freshCreateKey: false)),
        Row(testDescription: "retryable 429: same key", result: .retryable(F.rateLimited), expected: .retry(freshCreateKey: false)),
        Row(testDescription: "unknown 500: read back", result: .unknown(F.serverError), expected: .readBack),
        Row(testDescription: "unknown time-out: read back", result: .unknown(F.timedOut), expected: .readBack),
    ]

    @Test(arguments: confirmTable)
    func afterConfirm(row: Row) {
        #expect(Shape(AuthorizationDecision.afterConfirm(row.result, intentId: F.intentId)) == row.expected)
    }

    // MARK: read back (GET by id: immediately consistent)

    struct ReadBackRow: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var intent: StripePaymentIntent
        var expected: Shape
    }

    static let readBackTable: [ReadBackRow] = [
        ReadBackRow(testDescription: "requires_capture", intent: F.intent(.requiresCapture, capturable: 4999),
                    expected: .finish(.authorized(reference: F.intentId))),
        ReadBackRow(testDescription: "succeeded", intent: F.intent(.succeeded, received: 4999),
                    expected: .finish(.captured(reference: F.intentId, amount: 4999))),
        ReadBackRow(testDescription: "canceled", intent: F.intent(.canceled), expected: .finish(.voided(reference: F.intentId))),
        ReadBackRow(testDescription: "processing", intent: F.intent(.processing), expected: .retry(freshCreateKey: false)),
        ReadBackRow(testDescription: "requires_confirmation", intent: F.intent(.requiresConfirmation), expected: .confirm(F.intentId)),
        ReadBackRow(testDescription: "requires_payment_method, never confirmed", intent: F.intent(.requiresPaymentMethod),
                    expected: .confirm(F.intentId)),
        ReadBackRow(testDescription: "requires_payment_method, declined",
                    intent: F.intent(.requiresPaymentMethod, error: F.cardError("insufficient_funds")),
                    expected: .finish(.failed(.insufficientFunds, declineCode: "insufficient_funds", reference: F.intentId))),
        ReadBackRow(testDescription: "requires_action", intent: F.intent(.requiresAction),
                    expected: .finish(.failed(.cardDeclined, declineCode: "authentication_required", reference: F.intentId))),
    ]

    @Test(arguments: readBackTable)
    func afterReadBack(row: ReadBackRow) {
        #expect(Shape(AuthorizationDecision.afterReadBack(row.intent)) == row.expected)
    }

    @Test func readBackUsesTheIntentsOwnId() {
        let decision = AuthorizationDecision.afterReadBack(F.intent(.requiresCapture, id: "pi_other", capturable: 1))
        #expect(decision == .finish(.authorized(reference: "pi_other")))
    }

    // MARK: safety

    static let inconclusive: [Result] = [
        .retryable(F.notSent), .retryable(F.rateLimited), .unknown(F.serverError), .unknown(F.timedOut),
    ]

    @Test func anInconclusiveAnswerNeverFinishes() {
        for result in Self.inconclusive {
            for decision in [AuthorizationDecision.afterCreate(result), .afterConfirm(result, intentId: F.intentId)] {
                if case .finish = decision { Issue.record("\(result) finished the payment: \(decision)") }
            }
        }
        // A confirm refused for the intent's state may have been confirmed by an earlier attempt.
        let unexpectedState = Result.rejected(status: 400, F.requestError("payment_intent_unexpected_state"))
        if case .finish(let outcome) = AuthorizationDecision.afterConfirm(unexpectedState, intentId: F.intentId) {
            Issue.record("unexpected state finished the payment: \(outcome)")
        }
    }

    @Test func aReplayedCreateSearchesButAnUnknownConfirmIsReadBack() {
        // A create whose key replays a saved 500 can no longer tell: search for the intent it made.
        #expect(Shape(AuthorizationDecision.afterCreate(.unknown(F.replayedServerError))) == .findCreated)
        // Nothing found: the next key only once the search has had its lag to catch up.
        #expect(Shape(AuthorizationDecision.afterSearch([], paymentId: "p", sinceDispatch: .seconds(61), searchLag: .seconds(60), reason: "saved"))
            == .retry(freshCreateKey: true))
        #expect(Shape(AuthorizationDecision.afterSearch([], paymentId: "p", sinceDispatch: .seconds(5), searchLag: .seconds(60), reason: "saved"))
            == .retry(freshCreateKey: false))
        // A confirm may have moved money: only the intent can tell.
        #expect(Shape(AuthorizationDecision.afterConfirm(.unknown(F.serverError), intentId: F.intentId)) == .readBack)
    }

    @Test func retryAndReadBackReasonsSayWhy() {
        guard case .retry(let reason, _) = AuthorizationDecision.afterCreate(.unknown(F.serverError)) else {
            Issue.record("not a retry"); return
        }
        #expect(reason.contains("api_error"))
        guard case .readBack(let why) = AuthorizationDecision.afterConfirm(.unknown(F.timedOut), intentId: F.intentId) else {
            Issue.record("not a read-back"); return
        }
        #expect(why.contains("operation_timedout"))
    }

    @Test("a confirm's saved 500, replayed under its key, is read back before anything else")
    func replayedFiveHundredIsReadBack() {
        var failure = StripeCallFailure(httpStatus: 500, code: "api_error", message: "saved")
        failure.replayed = true
        #expect(Shape(AuthorizationDecision.afterConfirm(.unknown(failure), intentId: F.intentId)) == .readBackReplayed)
    }

    @Test("a succeeded intent without amount_received is a protocol fault, never a capture of 0")
    func missingAmountIsAProtocolFault() {
        var intent = F.intent(.succeeded, received: 0)
        intent.amountReceived = nil
        #expect(Shape(AuthorizationDecision.afterReadBack(intent)) == .protocolFault)
    }
}
