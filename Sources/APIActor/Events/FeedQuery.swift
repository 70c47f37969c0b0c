import HTTPTypes
import Hummingbird
import Store

/// Where a feed read starts and how much it takes, from `?after=&limit=` (and `Last-Event-ID` for streams).
struct FeedQuery: Equatable {
    var after: EventCursor
    var limit: Int

    /// Every bad parameter is named in one 400. `Last-Event-ID`, when `resumable` and present, wins over a valid
    /// `after`; an invalid `after` is refused either way.
    init(_ request: Request, resumable: Bool = false) throws(APIProblem) {
        let query = request.uri.queryParameters
        let lastEventID = resumable ? request.headers[.lastEventID] : nil
        try self.init(after: query.get("after"), limit: query.get("limit"), lastEventID: lastEventID)
    }

    init(after: String?, limit: String?, lastEventID: String? = nil) throws(APIProblem) {
        var errors: [FieldError] = []
        self.after = .start
        self.limit = EventFeed.defaultLimit
        if let after {
            if let cursor = EventCursor(after) { self.after = cursor } else {
                errors.append(FieldError(parameter: "after", "not a cursor from this feed (an event id or a page's next)"))
            }
        }
        if let lastEventID {
            if let cursor = EventCursor(lastEventID) { self.after = cursor } else {
                errors.append(FieldError(parameter: "Last-Event-ID", "not an event id from this feed"))
            }
        }
        if let limit {
            if limit.allSatisfy({ ("0"..."9").contains($0) }), let value = Int(limit), (1...EventFeed.maxLimit).contains(value) {
                self.limit = value
            } else {
                errors.append(FieldError(parameter: "limit", "must be an integer from 1 to \(EventFeed.maxLimit)"))
            }
        }
        guard errors.isEmpty else { throw APIProblem.invalid(errors) }
    }
}

extension HTTPField.Name {
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
}
