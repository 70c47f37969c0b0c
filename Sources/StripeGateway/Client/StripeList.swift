/// Stripe's `list` and `search_result` envelopes: the page's objects are in `data`.
public struct StripeList<Element: Decodable & Sendable>: Decodable, Sendable {
    public var data: [Element]
    /// More objects follow this page (ask again with `starting_after` the last one's id).
    public var hasMore: Bool

    public init(data: [Element], hasMore: Bool) {
        self.data = data
        self.hasMore = hasMore
    }

    enum CodingKeys: String, CodingKey {
        case data
        case hasMore = "has_more"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        data = try container.decode([Element].self, forKey: .data)
        hasMore = try container.decodeIfPresent(Bool.self, forKey: .hasMore) ?? false
    }
}
