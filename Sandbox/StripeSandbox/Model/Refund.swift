struct Refund: Sendable {
    enum Status: String, Sendable {
        case pending
        case requiresAction = "requires_action"
        case succeeded
        case failed
        case canceled
    }

    static let reasons = ["duplicate", "fraudulent", "requested_by_customer"]

    let id: String
    let amount: Int
    let charge: String
    let paymentIntent: String
    let currency: String
    let created: Int
    let reason: String?
    var metadata: [String: String]
    var status: Status
    var failureReason: String?

    /// Money this refund takes back from the charge (a failed or canceled one gives it back).
    var holdsMoney: Bool { status == .pending || status == .succeeded || status == .requiresAction }

    var json: JSONValue {
        var fields: [(key: String, value: JSONValue)] = [
            ("id", .string(id)),
            ("object", "refund"),
            ("amount", .int(amount)),
            ("balance_transaction", .string("txn_" + id.dropFirst(3))),
            ("charge", .string(charge)),
            ("created", .int(created)),
            ("currency", .string(currency)),
            ("destination_details", ["card": ["reference_status": "pending", "reference_type": "acquirer_reference_number", "type": "refund"], "type": "card"]),
        ]
        if let failureReason { fields.append(("failure_reason", .string(failureReason))) }
        fields += [
            ("metadata", .strings(metadata)),
            ("payment_intent", .string(paymentIntent)),
            ("reason", .optional(reason)),
            ("receipt_number", nil),
            ("source_transfer_reversal", nil),
            ("status", .string(status.rawValue)),
            ("transfer_reversal", nil),
        ]
        return .object(fields)
    }
}
