/// A Radar Review (`prv_…`), opened when a charge is placed in manual review.
struct Review: Sendable {
    static let closedReasons = ["approved", "refunded", "refunded_as_fraud", "disputed", "redacted", "canceled"]

    let id: String
    let charge: String
    let paymentIntent: String
    let created: Int
    /// `rule` or `manual`.
    let openedReason: String
    var closedReason: String?

    var open: Bool { closedReason == nil }

    var json: JSONValue {
        [
            "id": .string(id),
            "object": "review",
            "charge": .string(charge),
            "closed_reason": .optional(closedReason),
            "created": .int(created),
            "livemode": false,
            "open": .bool(open),
            "opened_reason": .string(openedReason),
            "payment_intent": .string(paymentIntent),
            "reason": .string(closedReason ?? openedReason),
        ]
    }
}
