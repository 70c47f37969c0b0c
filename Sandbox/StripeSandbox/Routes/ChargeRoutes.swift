/// `GET /v1/charges/{id}` and what hangs off a charge: `GET /v1/reviews/{id}`, `GET /v1/disputes/{id}`.
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
}
