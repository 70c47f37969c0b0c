import Testing
import Payments

/// `contract.md`, "Failure reasons": a decline's `decline_code` (else its `code`) decides the reason.
@Suite struct FailureReasonTests {
    @Test(arguments: [
        ("insufficient_funds", FailureReason.insufficientFunds),
        ("expired_card", .expiredCard),
        ("processing_error", .processingError),
        ("generic_decline", .cardDeclined),
        ("lost_card", .cardDeclined),
        ("stolen_card", .cardDeclined),
        ("fraudulent", .cardDeclined),
        ("incorrect_cvc", .cardDeclined),
        ("card_velocity_exceeded", .cardDeclined),
        ("authentication_required", .cardDeclined),
        ("card_declined", .cardDeclined),
        ("do_not_honor", .cardDeclined),
        ("", .cardDeclined),
        ("INSUFFICIENT_FUNDS", .cardDeclined),
    ])
    func mapsTheCodeWhetherDeclineCodeOrCode(value: String, expected: FailureReason) {
        #expect(FailureReason(declineCode: value, code: nil) == expected)
        #expect(FailureReason(declineCode: nil, code: value) == expected)
    }

    @Test func noCodeAtAllIsACardDecline() {
        #expect(FailureReason(declineCode: nil, code: nil) == .cardDeclined)
    }

    @Test(arguments: [
        // Stripe's usual shape: code card_declined, the detail in decline_code.
        ("insufficient_funds", "card_declined", FailureReason.insufficientFunds),
        ("generic_decline", "card_declined", .cardDeclined),
        ("fraudulent", "card_declined", .cardDeclined),
        // decline_code wins even when code alone would say otherwise.
        ("generic_decline", "expired_card", .cardDeclined),
        ("expired_card", "processing_error", .expiredCard),
        ("processing_error", "insufficient_funds", .processingError),
    ])
    func declineCodeWinsOverCode(declineCode: String, code: String, expected: FailureReason) {
        #expect(FailureReason(declineCode: declineCode, code: code) == expected)
    }

    @Test func wireNamesAreTheCatalogs() {
        #expect(Set(FailureReason.allCases.map(\.rawValue)) == ["CARD_DECLINED", "INSUFFICIENT_FUNDS", "EXPIRED_CARD", "PROCESSING_ERROR"])
    }
}
