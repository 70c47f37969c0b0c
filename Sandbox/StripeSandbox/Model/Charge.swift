/// The charge behind a confirmation: `GET /v1/charges/{id}`, `latest_charge` when expanded, and the
/// object of `charge.refunded` events.
struct Charge: Sendable {
    let id: String
    let paymentIntent: String
    let paymentMethod: String
    let amount: Int
    let currency: String
    let created: Int
    var metadata: [String: String]
    var failure: CardDecline?
    var outcome: Outcome
    var captured = false
    var amountCaptured = 0
    /// Refunds that are `pending` or `succeeded` (a failed refund gives its money back).
    var amountRefunded = 0
    /// The Review Radar opened for it (`prv_…`).
    var review: String?
    /// Its dispute (`dp_…`); Stripe's charge shows only `disputed`.
    var dispute: String?
    /// A hold's deadline (`payment_method_details.card.capture_before`); nil for a charge that took the money at once.
    var captureBefore: Int?
    /// The hold was let go uncaptured (expired, or its intent canceled): Stripe shows the whole amount refunded.
    var released = false

    var succeeded: Bool { failure == nil }
    var disputed: Bool { dispute != nil }

    /// A hold's validity, counted from the charge (docs.stripe.com/payments/place-a-hold-on-a-payment-method):
    /// 7 days when the customer is present; 4 days 18 hours for a merchant-initiated (off-session) one, Visa's
    /// window, the shortest Stripe lists.
    static func holdValidity(offSession: Bool) -> Int { offSession ? 410_400 : 604_800 }

    private var paymentMethodDetails: JSONValue {
        let card = TestPaymentMethod.lookup(paymentMethod) ?? TestPaymentMethod.visa
        var fields: [(key: String, value: JSONValue)] = [("brand", .string(card.brand))]
        if let captureBefore { fields.append(("capture_before", .int(captureBefore))) }
        fields.append(("last4", .string(TestPaymentMethod.last4(paymentMethod))))
        return ["card": .object(fields), "type": "card"]
    }

    var json: JSONValue {
        [
            "id": .string(id),
            "object": "charge",
            "amount": .int(amount),
            "amount_captured": .int(amountCaptured),
            "amount_refunded": .int(released ? amount : amountRefunded),
            "balance_transaction": captured ? .string("txn_" + id.dropFirst(3)) : .null,
            "captured": .bool(captured),
            "created": .int(created),
            "currency": .string(currency),
            "customer": nil,
            "description": nil,
            "disputed": .bool(disputed),
            "failure_code": .optional(failure?.code),
            "failure_message": .optional(failure?.message),
            "livemode": false,
            "metadata": .strings(metadata),
            "outcome": outcome.json,
            "paid": .bool(succeeded),
            "payment_intent": .string(paymentIntent),
            "payment_method": .string(paymentMethod),
            "payment_method_details": paymentMethodDetails,
            "refunded": .bool(released || (captured && amountCaptured > 0 && amountRefunded >= amountCaptured)),
            "review": .optional(review),
            "status": succeeded ? "succeeded" : "failed",
        ]
    }

    /// Charge `outcome`: what the network and Radar made of it.
    struct Outcome: Sendable, Equatable {
        var networkStatus: String
        var reason: String?
        var riskLevel: String
        var riskScore: Int
        var sellerMessage: String
        var type: String

        /// The score the sandbox gives a `normal` risk (Stripe's scores vary from charge to charge).
        static let normalScore = 20

        static let authorized = Outcome(
            networkStatus: "approved_by_network", riskLevel: "normal", riskScore: normalScore,
            sellerMessage: "Payment complete.", type: "authorized"
        )

        /// Radar's default review rule ("elevated_risk_level") placed it in the review queue.
        static let manualReview = Outcome(
            networkStatus: "approved_by_network", reason: "elevated_risk_level", riskLevel: "elevated", riskScore: 70,
            sellerMessage: "Stripe evaluated this payment as having elevated risk, and placed it in your manual review queue.",
            type: "manual_review"
        )

        static func issuerDeclined(_ decline: CardDecline) -> Outcome {
            Outcome(
                networkStatus: "declined_by_network", reason: decline.declineCode, riskLevel: "normal", riskScore: normalScore,
                sellerMessage: "The bank did not return any further details with this decline.", type: "issuer_declined"
            )
        }

        /// Radar's default block rule ("highest_risk_level"): never sent to the network.
        static func blocked(riskScore: Int) -> Outcome {
            Outcome(
                networkStatus: "not_sent_to_network", reason: "highest_risk_level", riskLevel: "highest", riskScore: riskScore,
                sellerMessage: "Stripe blocked this payment as too risky.", type: "blocked"
            )
        }

        /// `rule` is null: the sandbox's outcomes come from Radar's default rules, whose ids Stripe does
        /// not document.
        var json: JSONValue {
            [
                "network_status": .string(networkStatus),
                "reason": .optional(reason),
                "risk_level": .string(riskLevel),
                "risk_score": .int(riskScore),
                "rule": nil,
                "seller_message": .string(sellerMessage),
                "type": .string(type),
            ]
        }
    }
}
