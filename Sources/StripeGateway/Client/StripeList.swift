/// Stripe's `list` and `search_result` envelopes: the page's objects are in `data`.
struct StripeList<Element: Decodable & Sendable>: Decodable, Sendable {
    var data: [Element]
}
