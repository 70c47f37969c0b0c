/// The list endpoints. Newest first is the reverse of creation order: `created` never goes back, since
/// the clock only moves forward (and `reset` forgets every object with its offset).
extension SandboxState {
    /// `GET /v1/payment_intents`; `customer` matches nothing, as the sandbox makes no customers.
    func listPaymentIntents(_ query: ListQuery, customer: String?, expand: Expansion) throws(StripeError) -> JSONValue {
        let newest = intentOrder.reversed().compactMap { intents[$0] }
        let page = try query.page(of: newest, resource: "payment_intent", id: \.id, created: \.created) { _ in customer == nil }
        return ListQuery.json(url: "/v1/payment_intents", page.items.map { render($0, expand) }, hasMore: page.hasMore)
    }

    /// `GET /v1/refunds`, of one intent (it must exist) or of all.
    func listRefunds(_ query: ListQuery, paymentIntent: String?) throws(StripeError) -> JSONValue {
        var order = refundOrder
        if let paymentIntent {
            _ = try intent(paymentIntent, param: "payment_intent")
            order = refundsByIntent[paymentIntent] ?? []
        }
        let newest = order.reversed().compactMap { refunds[$0] }
        let page = try query.page(of: newest, resource: "refund", id: \.id, created: \.created)
        return ListQuery.json(url: "/v1/refunds", page.items.map(\.json), hasMore: page.hasMore)
    }

    /// `GET /v1/disputes`, optionally of one intent or charge.
    func listDisputes(_ query: ListQuery, paymentIntent: String?, charge: String?) throws(StripeError) -> JSONValue {
        let newest = disputeOrder.reversed().compactMap { disputes[$0] }
        let page = try query.page(of: newest, resource: "dispute", id: \.id, created: \.created) {
            (paymentIntent == nil || $0.paymentIntent == paymentIntent) && (charge == nil || $0.charge == charge)
        }
        return ListQuery.json(url: "/v1/disputes", page.items.map(\.json), hasMore: page.hasMore)
    }
}
