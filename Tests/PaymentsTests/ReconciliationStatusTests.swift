import StripeModels
import Testing
@testable import Payments

/// The status agreement table between a payment and its intent, and which disagreements move the payment forward.
@Suite("Reconciliation: status agreement")
struct ReconciliationStatusTests {
    typealias F = ReconciliationFixtures

    @Test("each status agrees with the intent statuses the table names, and no other")
    func agreement() {
        let cases: [(PaymentStatus, StripePaymentIntent, Bool)] = [
            (.requested, F.intent(.requiresPaymentMethod), true),
            (.requested, F.intent(.requiresConfirmation), true),
            (.requested, F.intent(.requiresCapture), false),
            (.requested, F.intent(.requiresPaymentMethod, error: F.decline), false),
            (.requiresAction, F.intent(.requiresAction), true),
            (.authorized, F.intent(.requiresCapture), true),
            (.authorized, F.intent(.succeeded, received: 4999), false),
            (.authorized, F.intent(.canceled), false),
            (.captured, F.intent(.succeeded, received: 4999), true),
            (.captured, F.intent(.requiresCapture), false),
            (.voided, F.intent(.canceled), true),
            (.voided, F.intent(.requiresPaymentMethod), true),
            (.voided, F.intent(.requiresCapture), false),
            (.failed, F.intent(.requiresPaymentMethod, error: F.decline), true),
            (.failed, F.intent(.canceled), true),
            (.failed, F.intent(.requiresPaymentMethod), true),
            (.failed, F.intent(.succeeded, received: 4999), false),
        ]
        for (status, intent, agrees) in cases {
            #expect(StatusAgreement.agrees(status, intent) == agrees, "\(status) vs \(intent.status)")
        }
    }

    @Test("a move is forward only where the lifecycle allows it")
    func forward() {
        #expect(StatusAgreement.isForward(.requested, F.intent(.requiresCapture)))
        #expect(StatusAgreement.isForward(.authorized, F.intent(.succeeded, received: 4999)))
        #expect(StatusAgreement.isForward(.authorized, F.intent(.canceled)))
        #expect(StatusAgreement.isForward(.requested, F.intent(.requiresPaymentMethod, error: F.decline)))
        #expect(!StatusAgreement.isForward(.captured, F.intent(.requiresCapture)))
        #expect(!StatusAgreement.isForward(.voided, F.intent(.succeeded, received: 4999)))
        #expect(!StatusAgreement.isForward(.requested, F.intent(.requiresPaymentMethod)))
    }
}
