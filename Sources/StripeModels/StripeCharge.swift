/// A Charge as Stripe returns it (an intent's `latest_charge`, expanded): what Radar decided about it.
public struct StripeCharge: Sendable, Equatable, Codable {
    public var id: String
    public var outcome: Outcome?
    /// The review Radar opened on this charge, when `latest_charge.review` was expanded.
    public var review: StripeReview?
    /// The review's id, expanded or not.
    public var reviewId: String?
    /// `payment_method_details.card.capture_before` (unix seconds): when an uncaptured hold expires.
    public var captureBefore: Int?

    /// `outcome`: `type` is `authorized`, `manual_review`, `issuer_declined`, `blocked` or `invalid`.
    public struct Outcome: Sendable, Equatable, Codable {
        public var type: String?
        public var riskLevel: String?

        public init(type: String?, riskLevel: String? = nil) {
            self.type = type
            self.riskLevel = riskLevel
        }

        enum CodingKeys: String, CodingKey {
            case type
            case riskLevel = "risk_level"
        }
    }

    public init(id: String, outcome: Outcome?, review: StripeReview? = nil, captureBefore: Int? = nil) {
        self.id = id
        self.outcome = outcome
        self.review = review
        reviewId = review?.id
        self.captureBefore = captureBefore
    }

    enum CodingKeys: String, CodingKey {
        case id, outcome, review
        case paymentMethodDetails = "payment_method_details"
    }

    struct PaymentMethodDetails: Codable {
        struct Card: Codable {
            var captureBefore: Int?
            enum CodingKeys: String, CodingKey { case captureBefore = "capture_before" }
        }
        var card: Card?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        outcome = try? container.decodeIfPresent(Outcome.self, forKey: .outcome)
        if let expanded = try? container.decodeIfPresent(StripeReview.self, forKey: .review) {
            review = expanded
            reviewId = expanded.id
        } else {
            reviewId = try? container.decodeIfPresent(String.self, forKey: .review)
        }
        captureBefore = (try? container.decodeIfPresent(PaymentMethodDetails.self, forKey: .paymentMethodDetails))?.card?.captureBefore.flatMap(UnixSeconds.plausible)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encodeIfPresent(outcome, forKey: .outcome)
        if let review { try container.encode(review, forKey: .review) } else { try container.encodeIfPresent(reviewId, forKey: .review) }
        if let captureBefore {
            try container.encode(PaymentMethodDetails(card: .init(captureBefore: captureBefore)), forKey: .paymentMethodDetails)
        }
    }
}

/// A Radar review (`prv_…`): open until someone (or Stripe) closes it with a reason.
public struct StripeReview: Sendable, Equatable, Codable {
    public var id: String
    public var open: Bool
    /// `rule` or `manual`.
    public var openedReason: String?
    /// `approved`, `refunded`, `refunded_as_fraud`, `disputed`, `redacted`, `canceled`… once closed.
    public var closedReason: String?
    public var paymentIntent: String?

    public init(id: String, open: Bool, openedReason: String?, closedReason: String? = nil, paymentIntent: String? = nil) {
        self.id = id
        self.open = open
        self.openedReason = openedReason
        self.closedReason = closedReason
        self.paymentIntent = paymentIntent
    }

    enum CodingKeys: String, CodingKey {
        case id, open
        case openedReason = "opened_reason"
        case closedReason = "closed_reason"
        case paymentIntent = "payment_intent"
    }
}
