/// `GET /v1/charges/{id}` and what hangs off a charge: `GET /v1/reviews/{id}`, `GET /v1/disputes/{id}`,
/// `GET /v1/disputes`.
struct ChargeRoutes: Sendable {
    let state: SandboxState

    func retrieve(_ resource: String, _ id: String, _ params: FormParams) async throws(StripeError) -> JSONValue {
        try params.rejectUnknown(allowed: ["expand"])
        switch resource {
        case "charges": return try await state.retrieveCharge(id, expand: try Expansion(params, allowed: Expansion.chargePaths))
        case "reviews":
            _ = try Expansion(params, allowed: [])
            return try await state.retrieveReview(id)
        default:
            _ = try Expansion(params, allowed: [])
            return try await state.retrieveDispute(id)
        }
    }

    func listDisputes(_ params: FormParams) async throws(StripeError) -> JSONValue {
        try params.rejectUnknown(allowed: ListQuery.parameters.union(["payment_intent", "charge"]))
        let query = try ListQuery(params)
        _ = try Expansion(params, allowed: [])
        return try await state.listDisputes(
            query, paymentIntent: try params.string("payment_intent"), charge: try params.string("charge")
        )
    }
}
