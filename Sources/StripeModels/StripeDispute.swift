/// A Dispute (`dp_…`) as Stripe returns it: the cardholder's bank taking a captured charge's money back (or,
/// for an inquiry, `warning_*`, asking about it first).
public struct StripeDispute: Sendable, Equatable, Codable {
    public var id: String
    public var amount: Int
    public var currency: String
    public var charge: String?
    public var paymentIntent: String?
    public var reason: String?
    /// `warning_needs_response`, `warning_under_review`, `warning_closed`, `needs_response`, `under_review`,
    /// `won`, `lost` or `prevented`.
    public var status: String
    public var isChargeRefundable: Bool
    /// `evidence_details.due_by`, unix seconds.
    public var evidenceDueBy: Int?
    public var created: Int?
    /// The balance movements so far: `dispute` takes the funds, `dispute_reversal` gives them back.
    public var balanceTransactions: [BalanceTransaction]

    public struct BalanceTransaction: Sendable, Equatable, Codable {
        public var id: String
        public var amount: Int
        public var reportingCategory: String?

        public init(id: String, amount: Int, reportingCategory: String?) {
            self.id = id
            self.amount = amount
            self.reportingCategory = reportingCategory
        }

        enum CodingKeys: String, CodingKey {
            case id, amount
            case reportingCategory = "reporting_category"
        }
    }

    struct EvidenceDetails: Codable {
        var dueBy: Int?
        enum CodingKeys: String, CodingKey { case dueBy = "due_by" }
    }

    public init(
        id: String, amount: Int, currency: String, charge: String? = nil, paymentIntent: String?, reason: String?,
        status: String, isChargeRefundable: Bool, evidenceDueBy: Int? = nil, created: Int? = nil,
        balanceTransactions: [BalanceTransaction] = []
    ) {
        self.id = id
        self.amount = amount
        self.currency = currency
        self.charge = charge
        self.paymentIntent = paymentIntent
        self.reason = reason
        self.status = status
        self.isChargeRefundable = isChargeRefundable
        self.evidenceDueBy = evidenceDueBy
        self.created = created
        self.balanceTransactions = balanceTransactions
    }

    /// The funds are out: a `dispute` movement and no `dispute_reversal` after it.
    public var fundsWithdrawn: Bool { withdrawals > reinstatements }
    public var fundsReinstated: Bool { reinstatements > 0 && withdrawals == reinstatements }
    private var withdrawals: Int { balanceTransactions.count { $0.reportingCategory == "dispute" } }
    private var reinstatements: Int { balanceTransactions.count { $0.reportingCategory == "dispute_reversal" } }

    enum CodingKeys: String, CodingKey {
        case id, amount, currency, charge, reason, status, created
        case paymentIntent = "payment_intent"
        case isChargeRefundable = "is_charge_refundable"
        case evidenceDetails = "evidence_details"
        case balanceTransactions = "balance_transactions"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        amount = try c.decode(Int.self, forKey: .amount)
        currency = try c.decode(String.self, forKey: .currency)
        charge = try? c.decodeIfPresent(String.self, forKey: .charge)
        paymentIntent = try? c.decodeIfPresent(String.self, forKey: .paymentIntent)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        status = try c.decode(String.self, forKey: .status)
        isChargeRefundable = try c.decodeIfPresent(Bool.self, forKey: .isChargeRefundable) ?? false
        evidenceDueBy = (try? c.decodeIfPresent(EvidenceDetails.self, forKey: .evidenceDetails))?.dueBy.flatMap(UnixSeconds.plausible)
        created = try c.decodeIfPresent(Int.self, forKey: .created)
        balanceTransactions = (try? c.decodeIfPresent([BalanceTransaction].self, forKey: .balanceTransactions)) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(amount, forKey: .amount)
        try c.encode(currency, forKey: .currency)
        try c.encodeIfPresent(charge, forKey: .charge)
        try c.encodeIfPresent(paymentIntent, forKey: .paymentIntent)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encode(status, forKey: .status)
        try c.encode(isChargeRefundable, forKey: .isChargeRefundable)
        try c.encode(EvidenceDetails(dueBy: evidenceDueBy), forKey: .evidenceDetails)
        try c.encodeIfPresent(created, forKey: .created)
        try c.encode(balanceTransactions, forKey: .balanceTransactions)
    }
}

/// A processor time the service can write down: unix seconds from 1970 to 9999 (anything else is taken as absent).
enum UnixSeconds {
    static func plausible(_ seconds: Int) -> Int? { (0...253_402_300_799).contains(seconds) ? seconds : nil }
}
