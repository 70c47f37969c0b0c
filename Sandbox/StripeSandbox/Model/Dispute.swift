/// A Dispute (`dp_…`), as `pm_card_createDispute` opens one: fraudulent, awaiting the merchant's response.
struct Dispute: Sendable {
    let id: String
    let amount: Int
    let charge: String
    let paymentIntent: String
    let currency: String
    let created: Int

    var json: JSONValue {
        [
            "id": .string(id),
            "object": "dispute",
            "amount": .int(amount),
            "charge": .string(charge),
            "created": .int(created),
            "currency": .string(currency),
            "livemode": false,
            "payment_intent": .string(paymentIntent),
            "reason": "fraudulent",
            "status": "needs_response",
        ]
    }
}
