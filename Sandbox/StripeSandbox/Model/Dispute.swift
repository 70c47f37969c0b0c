/// A Dispute (`dp_…`), as the dispute test cards open one, `fraudulent` both: a chargeback
/// (`pm_card_createDispute`, `needs_response`) withdraws the money when it opens; an inquiry
/// (`pm_card_createDisputeInquiry`, `warning_needs_response`) moves none and leaves the charge refundable.
struct Dispute: Sendable {
    enum Status: String, Sendable, CaseIterable {
        case warningNeedsResponse = "warning_needs_response"
        case warningUnderReview = "warning_under_review"
        case warningClosed = "warning_closed"
        case needsResponse = "needs_response"
        case underReview = "under_review"
        case won
        case lost
        case prevented

        var closed: Bool { self == .won || self == .lost || self == .warningClosed || self == .prevented }
    }

    /// Where an open dispute may go (`POST /_sandbox/disputes/{id}/status`): a chargeback is decided
    /// `won` or `lost`; an inquiry closes, or is `prevented` from becoming a chargeback.
    static let moves: [Status: Set<Status>] = [
        .needsResponse: [.underReview, .won, .lost],
        .underReview: [.won, .lost],
        .warningNeedsResponse: [.warningUnderReview, .warningClosed, .prevented],
        .warningUnderReview: [.warningClosed, .prevented],
    ]

    /// `evidence_details.due_by`, counted from `created`.
    static let evidenceWindow = 7 * 86_400

    let id: String
    let amount: Int
    let charge: String
    let paymentIntent: String
    let currency: String
    let created: Int
    let inquiry: Bool
    var status: Status
    var balanceTransactions: [BalanceTransaction] = []

    init(id: String, of charge: Charge, inquiry: Bool, created: Int) {
        self.id = id
        amount = charge.amountCaptured
        self.charge = charge.id
        paymentIntent = charge.paymentIntent
        currency = charge.currency
        self.created = created
        self.inquiry = inquiry
        status = inquiry ? .warningNeedsResponse : .needsResponse
    }

    /// Stripe's `is_charge_refundable`: an inquiry's charge can still be refunded, a chargeback's cannot.
    var isChargeRefundable: Bool { inquiry }
    var open: Bool { !status.closed }
    var fundsWithdrawn: Int { -balanceTransactions.filter { $0.amount < 0 }.reduce(0) { $0 + $1.amount } }
    var fundsReinstated: Int { balanceTransactions.filter { $0.amount > 0 }.reduce(0) { $0 + $1.amount } }

    var json: JSONValue {
        [
            "id": .string(id),
            "object": "dispute",
            "amount": .int(amount),
            "balance_transactions": .array(balanceTransactions.map(\.json)),
            "charge": .string(charge),
            "created": .int(created),
            "currency": .string(currency),
            "evidence_details": [
                "due_by": .int(created + Self.evidenceWindow), "has_evidence": false, "past_due": false,
                "submission_count": 0,
            ],
            "is_charge_refundable": .bool(isChargeRefundable),
            "livemode": false,
            "metadata": [:],
            "payment_intent": .string(paymentIntent),
            "reason": "fraudulent",
            "status": .string(status.rawValue),
        ]
    }
}
