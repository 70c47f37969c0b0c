import StripeModels

/// The processor's list endpoints, by creation time, for reconciliation: a protocol of its own, so `StripeAPI`
/// and the worker's fakes stay as they are. Lists, not search: search lags behind writes and is limited to 20
/// requests a second. Each call is one page, newest first; `startingAfter` is the last id of the page before.
public protocol StripeListing: Sendable {
    /// `GET /v1/payment_intents?created[gte]=…` with each intent's `latest_charge` expanded.
    func listPaymentIntents(createdSince: Int, startingAfter: String?, limit: Int) async -> StripeResult<StripeList<StripePaymentIntent>>
    /// `GET /v1/refunds?created[gte]=…`
    func listRefunds(createdSince: Int, startingAfter: String?, limit: Int) async -> StripeResult<StripeList<StripeRefund>>
    /// `GET /v1/disputes?created[gte]=…`
    func listDisputes(createdSince: Int, startingAfter: String?, limit: Int) async -> StripeResult<StripeList<StripeDispute>>
}

/// How a walk over a list's pages is bounded and retried.
public struct ListWalk: Sendable {
    public var pageSize: Int
    /// More pages than this make the walk incomplete: deciding on part of a list could miss an object.
    public var maxPages: Int
    /// Reads that failed in a way worth repeating (429, a 5xx, a time-out) are asked again this many times.
    public var retries: Int
    public var firstPause: Duration

    public init(pageSize: Int = 100, maxPages: Int = 1_000, retries: Int = 4, firstPause: Duration = .milliseconds(500)) {
        self.pageSize = pageSize
        self.maxPages = maxPages
        self.retries = retries
        self.firstPause = firstPause
    }

    public static let truncated = "too_many_pages"

    /// Every object of the list, page after page while `has_more` says more follow.
    public func all<Element: Sendable>(
        id: @Sendable (Element) -> String, _ page: @Sendable (_ startingAfter: String?, _ limit: Int) async -> StripeResult<StripeList<Element>>
    ) async -> StripeResult<[Element]> {
        var objects: [Element] = []
        var after: String?
        for _ in 0..<maxPages {
            let cursor = after
            let answer = await read { await page(cursor, pageSize) }
            guard case .success(let list) = answer else { return answer.map(\.data) }
            objects += list.data
            guard list.hasMore, let last = list.data.last else { return .success(objects) }
            after = id(last)
        }
        return .unknown(StripeCallFailure(httpStatus: nil, code: Self.truncated, message: "more than \(maxPages) pages"))
    }

    /// A read (a GET moves nothing, so repeating it is always safe), asked again after a pause while it fails in a
    /// way that may heal; an unreadable answer or a refusal is final.
    public func read<Value: Sendable>(_ call: @Sendable () async -> StripeResult<Value>) async -> StripeResult<Value> {
        var pause = firstPause
        var answer = await call()
        for _ in 0..<retries where Self.mayHeal(answer) {
            try? await Task.sleep(for: pause)
            pause *= 2
            answer = await call()
        }
        return answer
    }

    private static func mayHeal<Value>(_ answer: StripeResult<Value>) -> Bool {
        switch answer {
        case .retryable: true
        case .unknown(let failure): !failure.isProtocolFault
        default: false
        }
    }
}
