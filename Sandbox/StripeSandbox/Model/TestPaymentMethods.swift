/// Stripe's test-mode PaymentMethod tokens and what confirming with each does (stripe.md's table and
/// https://docs.stripe.com/testing; /tmp/sandbox-cards.md lists them with the sandbox's choices).
struct CardDecline: Sendable, Equatable {
    var code: String
    var declineCode: String?
    var message: String
}

/// What a test card does, one trait at a time.
struct TestCard: Sendable, Equatable {
    /// What the charge does once any authentication is done.
    enum Charge: Sendable, Equatable {
        case authorized
        /// Authorized, with Radar's `elevated` risk: a Review opens.
        case reviewed
        case declined(CardDecline)
        /// Blocked by Radar before the network sees it (`risk_score` given).
        case blocked(riskScore: Int)
    }

    enum Refunds: Sendable, Equatable {
        /// `succeeded` at once.
        case immediate
        /// `succeeded`, then `failed` a little later.
        case failLater
        /// `pending`, then `succeeded` a little later.
        case pendingThenSucceed
    }

    /// The dispute a card opens once the money is taken.
    enum Dispute: Sendable, Equatable {
        /// A chargeback (`needs_response`): the money is withdrawn at once.
        case chargeback
        /// An inquiry (`warning_needs_response`): nothing withdrawn, the charge stays refundable.
        case inquiry
    }

    var brand: String
    /// 3-D Secure must be completed: `requires_action` on session, 402 `authentication_required` off session.
    var requiresAuthentication = false
    var charge = Charge.authorized
    var refunds = Refunds.immediate
    /// Once money is taken, a `fraudulent` dispute opens a little later.
    var dispute: Dispute?
}

enum TestPaymentMethod {
    static func lookup(_ id: String) -> TestCard? { table[id] }

    static let visa = TestCard(brand: "visa")

    private static func declined(_ declineCode: String) -> TestCard {
        TestCard(
            brand: "visa",
            charge: .declined(CardDecline(code: "card_declined", declineCode: declineCode, message: "Your card was declined."))
        )
    }

    private static func failing(_ code: String, _ message: String) -> TestCard {
        TestCard(brand: "visa", charge: .declined(CardDecline(code: code, declineCode: nil, message: message)))
    }

    private static let table: [String: TestCard] = brands.merging(declines) { $1 }.merging(scenarios) { $1 }

    private static let brands: [String: TestCard] = [
        "pm_card_visa": visa,
        "pm_card_visa_debit": visa,
        "pm_card_us": visa,
        "pm_card_mastercard": TestCard(brand: "mastercard"),
        "pm_card_mastercard_debit": TestCard(brand: "mastercard"),
        "pm_card_mastercard_prepaid": TestCard(brand: "mastercard"),
        "pm_card_amex": TestCard(brand: "amex"),
        "pm_card_discover": TestCard(brand: "discover"),
        "pm_card_diners": TestCard(brand: "diners"),
        "pm_card_jcb": TestCard(brand: "jcb"),
        "pm_card_unionpay": TestCard(brand: "unionpay"),
        "pm_card_threeDSecureOptional": visa,
        "pm_card_amex_threeDSecureNotSupported": TestCard(brand: "amex"),
    ]

    private static let declines: [String: TestCard] = [
        "pm_card_visa_chargeDeclined": declined("generic_decline"),
        "pm_card_chargeDeclined": declined("generic_decline"),
        // "Attaching this card to a Customer succeeds, but attempts to charge the customer fail": the
        // sandbox has no customers, so every charge fails (Stripe does not say with which decline code).
        "pm_card_chargeCustomerFail": declined("generic_decline"),
        "pm_card_visa_chargeDeclinedInsufficientFunds": declined("insufficient_funds"),
        "pm_card_chargeDeclinedInsufficientFunds": declined("insufficient_funds"),
        "pm_card_visa_chargeDeclinedLostCard": declined("lost_card"),
        "pm_card_chargeDeclinedLostCard": declined("lost_card"),
        "pm_card_visa_chargeDeclinedStolenCard": declined("stolen_card"),
        "pm_card_chargeDeclinedStolenCard": declined("stolen_card"),
        "pm_card_chargeDeclinedExpiredCard": failing("expired_card", "Your card has expired."),
        "pm_card_chargeDeclinedIncorrectCvc": failing("incorrect_cvc", "Your card's security code is incorrect."),
        "pm_card_chargeDeclinedProcessingError": failing(
            "processing_error", "An error occurred while processing your card. Try again in a little bit."
        ),
    ]

    private static let scenarios: [String: TestCard] = [
        "pm_card_authenticationRequired": TestCard(brand: "visa", requiresAuthentication: true),
        "pm_card_threeDSecure2Required": TestCard(brand: "visa", requiresAuthentication: true),
        "pm_card_threeDSecureRequired": TestCard(brand: "visa", requiresAuthentication: true),
        "pm_card_threeDSecureRequiredChargeDeclined": TestCard(
            brand: "visa", requiresAuthentication: true, charge: declined("generic_decline").charge
        ),
        // Radar: 4100000000000019 is always blocked (its current name is pm_card_radarBlock).
        "pm_card_chargeDeclinedFraudulent": TestCard(brand: "visa", charge: .blocked(riskScore: 95)),
        "pm_card_radarBlock": TestCard(brand: "visa", charge: .blocked(riskScore: 95)),
        "pm_card_riskLevelHighest": TestCard(brand: "visa", charge: .blocked(riskScore: 85)),
        "pm_card_riskLevelElevated": TestCard(brand: "visa", charge: .reviewed),
        "pm_card_refundFail": TestCard(brand: "visa", refunds: .failLater),
        "pm_card_pendingRefund": TestCard(brand: "visa", refunds: .pendingThenSucceed),
        "pm_card_createDispute": TestCard(brand: "visa", dispute: .chargeback),
        "pm_card_createDisputeInquiry": TestCard(brand: "visa", dispute: .inquiry),
    ]

    /// The last four digits of each token's card number (docs.stripe.com/testing); `4242` for the rest.
    static func last4(_ id: String) -> String { lastDigits[id] ?? "4242" }

    private static let lastDigits: [String: String] = [
        "pm_card_visa_debit": "5556", "pm_card_mastercard": "4444", "pm_card_mastercard_debit": "8210",
        "pm_card_mastercard_prepaid": "5100", "pm_card_amex": "0005", "pm_card_discover": "1117",
        "pm_card_diners": "0004", "pm_card_jcb": "0505", "pm_card_unionpay": "0005",
        "pm_card_threeDSecureOptional": "3055", "pm_card_amex_threeDSecureNotSupported": "0005",
        "pm_card_visa_chargeDeclined": "0002", "pm_card_chargeDeclined": "0002", "pm_card_chargeCustomerFail": "0341",
        "pm_card_visa_chargeDeclinedInsufficientFunds": "9995", "pm_card_chargeDeclinedInsufficientFunds": "9995",
        "pm_card_visa_chargeDeclinedLostCard": "9987", "pm_card_chargeDeclinedLostCard": "9987",
        "pm_card_visa_chargeDeclinedStolenCard": "9979", "pm_card_chargeDeclinedStolenCard": "9979",
        "pm_card_chargeDeclinedExpiredCard": "0069", "pm_card_chargeDeclinedIncorrectCvc": "0127",
        "pm_card_chargeDeclinedProcessingError": "0119", "pm_card_authenticationRequired": "3155",
        "pm_card_threeDSecure2Required": "3220", "pm_card_threeDSecureRequired": "3063",
        "pm_card_threeDSecureRequiredChargeDeclined": "1629", "pm_card_chargeDeclinedFraudulent": "0019",
        "pm_card_radarBlock": "0019", "pm_card_riskLevelHighest": "4954", "pm_card_riskLevelElevated": "9235",
        "pm_card_refundFail": "5126", "pm_card_pendingRefund": "7726", "pm_card_createDispute": "0259",
        "pm_card_createDisputeInquiry": "1976",
    ]

    static let authenticationRequiredOffSession = CardDecline(
        code: "authentication_required", declineCode: "authentication_required",
        message: "Your card was declined. This transaction requires authentication."
    )

    /// What a Radar block answers: Stripe reports it as a `fraudulent` decline.
    static let radarBlocked = CardDecline(code: "card_declined", declineCode: "fraudulent", message: "Your card was declined.")
}
