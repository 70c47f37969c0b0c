import StripeModels

/// The list calls over HTTP: each a GET, paced by the same rate limit (`STRIPE_MAX_RPS`) and concurrency bound as
/// every other call of the client.
extension StripeClient: StripeListing {
    public nonisolated func listPaymentIntents(
        createdSince: Int, startingAfter: String?, limit: Int
    ) async -> StripeResult<StripeList<StripePaymentIntent>> {
        await get("/v1/payment_intents?" + Self.listQuery(createdSince, startingAfter, limit) + "&expand[]=data.latest_charge")
    }

    public nonisolated func listRefunds(createdSince: Int, startingAfter: String?, limit: Int) async -> StripeResult<StripeList<StripeRefund>> {
        await get("/v1/refunds?" + Self.listQuery(createdSince, startingAfter, limit))
    }

    public nonisolated func listDisputes(createdSince: Int, startingAfter: String?, limit: Int) async -> StripeResult<StripeList<StripeDispute>> {
        await get("/v1/disputes?" + Self.listQuery(createdSince, startingAfter, limit))
    }

    static func listQuery(_ createdSince: Int, _ startingAfter: String?, _ limit: Int) -> String {
        "created[gte]=\(createdSince)&limit=\(limit)" + (startingAfter.map { "&starting_after=\(FormEncoder.percentEncode($0))" } ?? "")
    }
}
