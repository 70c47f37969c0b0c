/// What a Stripe list call (`GET /v1/payment_intents`, `/v1/refunds`, `/v1/disputes`) asks for: a page
/// of `limit` objects, newest first, after `starting_after` or before `ending_before`, within `created`.
struct ListQuery: Sendable {
    /// The parameters every list takes; each endpoint adds its filters.
    static let parameters: Set<String> = ["limit", "starting_after", "ending_before", "created", "expand"]

    var limit: Int
    var startingAfter: String?
    var endingBefore: String?
    var created: CreatedRange

    init(_ params: FormParams) throws(StripeError) {
        limit = try params.limit()
        startingAfter = try params.string("starting_after")
        endingBefore = try params.string("ending_before")
        if startingAfter != nil && endingBefore != nil {
            throw .invalidRequest(
                "You may only specify one of these parameters: ending_before, starting_after.", param: "ending_before"
            )
        }
        created = try CreatedRange(params)
    }

    /// One page of `newestFirst` (Stripe's order) that `matches`. The cursor must name one of
    /// `newestFirst`, else the 400 Stripe gives for an unknown `resource`. `has_more`: more match beyond
    /// the page, on the side the cursor pages towards.
    func page<Item>(
        of newestFirst: [Item], resource: String, id: (Item) -> String, created: (Item) -> Int,
        matches: (Item) -> Bool = { _ in true }
    ) throws(StripeError) -> (items: [Item], hasMore: Bool) {
        if let endingBefore {
            let end = try position(of: endingBefore, in: newestFirst, resource: resource, param: "ending_before", id: id)
            let found = firstMatches(in: newestFirst[..<end].reversed(), created: created, matches: matches)
            return (Array(found.prefix(limit).reversed()), found.count > limit)
        }
        var start = 0
        if let startingAfter {
            start = try position(of: startingAfter, in: newestFirst, resource: resource, param: "starting_after", id: id) + 1
        }
        let found = firstMatches(in: newestFirst[start...], created: created, matches: matches)
        return (Array(found.prefix(limit)), found.count > limit)
    }

    /// Up to `limit + 1` of `items` within `created` that match: one more than a page tells `has_more`.
    private func firstMatches<Items: Sequence>(
        in items: Items, created: (Items.Element) -> Int, matches: (Items.Element) -> Bool
    ) -> [Items.Element] {
        var found: [Items.Element] = []
        for item in items where self.created.contains(created(item)) && matches(item) {
            found.append(item)
            if found.count > limit { break }
        }
        return found
    }

    private func position<Item>(
        of cursor: String, in items: [Item], resource: String, param: String, id: (Item) -> String
    ) throws(StripeError) -> Int {
        guard let index = items.firstIndex(where: { id($0) == cursor }) else {
            throw .noSuch(resource, id: cursor, param: param, status: 400)
        }
        return index
    }

    /// Stripe's list object.
    static func json(url: String, _ data: [JSONValue], hasMore: Bool) -> JSONValue {
        ["object": "list", "data": .array(data), "has_more": .bool(hasMore), "url": .string(url)]
    }
}

/// `created=<unix seconds>`, or bounds `created[gt]`, `created[gte]`, `created[lt]`, `created[lte]`.
struct CreatedRange: Sendable {
    var lowest = Int.min
    var highest = Int.max

    init(_ params: FormParams) throws(StripeError) {
        guard let value = params["created"] else { return }
        if let exact = value.string {
            guard let seconds = Int(exact) else { throw .invalidInteger("created") }
            (lowest, highest) = (seconds, seconds)
            return
        }
        guard let bounds = value.object else { throw .invalidParameter("created") }
        for (key, bound) in bounds.sorted(by: { $0.key < $1.key }) { try apply(key, bound) }
    }

    func contains(_ seconds: Int) -> Bool { seconds >= lowest && seconds <= highest }

    private mutating func apply(_ key: String, _ bound: FormValue) throws(StripeError) {
        let param = "created[\(key)]"
        guard ["gt", "gte", "lt", "lte"].contains(key) else { throw .unknownParameter(param) }
        guard let text = bound.string, let seconds = Int(text) else { throw .invalidInteger(param) }
        switch key {
        case "gt": lowest = max(lowest, seconds &+ 1)
        case "gte": lowest = max(lowest, seconds)
        case "lt": highest = min(highest, seconds &- 1)
        default: highest = min(highest, seconds)
        }
    }
}
