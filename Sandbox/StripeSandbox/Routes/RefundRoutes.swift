/// `/v1/refunds…`
struct RefundRoutes: Sendable {
    let state: SandboxState

    func create(_ params: FormParams, refused: Bool) async throws(StripeError) -> JSONValue {
        try params.rejectUnknown(allowed: [
            "payment_intent", "charge", "amount", "reason", "metadata", "expand", "instructions_email", "origin",
            "refund_application_fee", "reverse_transfer",
        ])
        let intent: String
        if let id = try params.string("payment_intent") {
            intent = id
        } else if let charge = try params.string("charge") {
            intent = try await state.paymentIntentID(ofCharge: charge)
        } else {
            throw .invalidRequest("One of the following params should be provided for this request: payment_intent or charge.", code: "parameter_missing", param: "payment_intent")
        }
        let amount = try params.int("amount")
        if let amount, amount < 1 {
            throw .invalidRequest("Invalid positive integer", code: "parameter_invalid_integer", param: "amount")
        }
        let command = CreateRefundCommand(
            paymentIntent: intent, amount: amount, reason: try params.enumValue("reason", among: Refund.reasons),
            metadata: try params.metadata(), refused: refused
        )
        return try await state.createRefund(command)
    }

    func retrieve(_ id: String, _ params: FormParams) async throws(StripeError) -> JSONValue {
        try params.rejectUnknown(allowed: ["expand"])
        return try await state.retrieveRefund(id)
    }

    func list(_ params: FormParams) async throws(StripeError) -> JSONValue {
        try params.rejectUnknown(allowed: ListQuery.parameters.union(["payment_intent", "charge"]))
        let query = try ListQuery(params)
        var intent = try params.string("payment_intent")
        if intent == nil, let charge = try params.string("charge") {
            intent = try await state.paymentIntentID(ofCharge: charge)
        }
        return try await state.listRefunds(query, paymentIntent: intent)
    }
}
