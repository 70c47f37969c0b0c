/// The charge behind a confirmation: the object of `charge.refunded` events.
struct Charge: Sendable {
    let id: String
    let paymentIntent: String
    let paymentMethod: String
    let amount: Int
    let currency: String
    let created: Int
    var metadata: [String: String]
    var succeeded: Bool
    var failure: CardDecline?
    var captured = false
    var amountCaptured = 0
    /// Refunds that are `pending` or `succeeded` (a failed refund gives its money back).
    var amountRefunded = 0

    var json: JSONValue {
        [
            "id": .string(id),
            "object": "charge",
            "amount": .int(amount),
            "amount_captured": .int(amountCaptured),
            "amount_refunded": .int(amountRefunded),
            "balance_transaction": captured ? .string("txn_" + id.dropFirst(3)) : .null,
            "captured": .bool(captured),
            "created": .int(created),
            "currency": .string(currency),
            "customer": nil,
            "description": nil,
            "disputed": false,
            "failure_code": .optional(failure?.code),
            "failure_message": .optional(failure?.message),
            "livemode": false,
            "metadata": .strings(metadata),
            "outcome": [
                "network_status": succeeded ? "approved_by_network" : "declined_by_network",
                "reason": .optional(failure?.declineCode),
                "risk_level": "normal",
                "seller_message": succeeded ? "Payment complete." : "The bank did not return any further details with this decline.",
                "type": succeeded ? "authorized" : "issuer_declined",
            ],
            "paid": .bool(succeeded),
            "payment_intent": .string(paymentIntent),
            "payment_method": .string(paymentMethod),
            "refunded": .bool(captured && amountCaptured > 0 && amountRefunded >= amountCaptured),
            "status": succeeded ? "succeeded" : "failed",
        ]
    }
}
