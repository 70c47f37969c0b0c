/// Stripe's test-mode PaymentMethod tokens and what confirming with each does (stripe.md's table).
struct CardDecline: Sendable, Equatable {
    var code: String
    var declineCode: String?
    var message: String
}

enum TestPaymentMethod: Sendable, Equatable {
    case succeeds(brand: String)
    case declines(CardDecline)
    /// 3-D Secure: `requires_action` on session, a 402 `authentication_required` off session.
    case requiresAuthentication
    /// The charge succeeds; each refund answers `succeeded` and fails shortly after.
    case refundFails

    static func lookup(_ id: String) -> TestPaymentMethod? { table[id] }

    private static func declined(_ declineCode: String) -> TestPaymentMethod {
        .declines(CardDecline(code: "card_declined", declineCode: declineCode, message: "Your card was declined."))
    }

    private static let table: [String: TestPaymentMethod] = [
        "pm_card_visa": .succeeds(brand: "visa"),
        "pm_card_visa_debit": .succeeds(brand: "visa"),
        "pm_card_us": .succeeds(brand: "visa"),
        "pm_card_mastercard": .succeeds(brand: "mastercard"),
        "pm_card_mastercard_debit": .succeeds(brand: "mastercard"),
        "pm_card_mastercard_prepaid": .succeeds(brand: "mastercard"),
        "pm_card_amex": .succeeds(brand: "amex"),
        "pm_card_discover": .succeeds(brand: "discover"),
        "pm_card_diners": .succeeds(brand: "diners"),
        "pm_card_jcb": .succeeds(brand: "jcb"),
        "pm_card_unionpay": .succeeds(brand: "unionpay"),
        "pm_card_visa_chargeDeclined": declined("generic_decline"),
        "pm_card_chargeDeclined": declined("generic_decline"),
        "pm_card_visa_chargeDeclinedInsufficientFunds": declined("insufficient_funds"),
        "pm_card_chargeDeclinedInsufficientFunds": declined("insufficient_funds"),
        "pm_card_visa_chargeDeclinedLostCard": declined("lost_card"),
        "pm_card_chargeDeclinedLostCard": declined("lost_card"),
        "pm_card_visa_chargeDeclinedStolenCard": declined("stolen_card"),
        "pm_card_chargeDeclinedStolenCard": declined("stolen_card"),
        "pm_card_chargeDeclinedFraudulent": declined("fraudulent"),
        "pm_card_chargeDeclinedExpiredCard": .declines(
            CardDecline(code: "expired_card", declineCode: nil, message: "Your card has expired.")
        ),
        "pm_card_chargeDeclinedIncorrectCvc": .declines(
            CardDecline(code: "incorrect_cvc", declineCode: nil, message: "Your card's security code is incorrect.")
        ),
        "pm_card_chargeDeclinedProcessingError": .declines(
            CardDecline(
                code: "processing_error", declineCode: nil,
                message: "An error occurred while processing your card. Try again in a little bit."
            )
        ),
        "pm_card_authenticationRequired": .requiresAuthentication,
        "pm_card_threeDSecure2Required": .requiresAuthentication,
        "pm_card_refundFail": .refundFails,
    ]

    static let authenticationRequiredOffSession = CardDecline(
        code: "authentication_required", declineCode: "authentication_required",
        message: "Your card was declined. This transaction requires authentication."
    )
}
