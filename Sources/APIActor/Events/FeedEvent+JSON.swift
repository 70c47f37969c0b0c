import Payments
import Store
import Support

extension FeedEvent {
    /// One server-sent event. The JSON is written on one line; any line break it might hold (whitespace
    /// in stored `data`) becomes a further `data:` line, which the client joins back with a newline.
    var serverSentEvent: String {
        let lines = json.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        return "id: \(id)\nevent: \(type)\n" + lines.map { "data: \($0)\n" }.joined() + "\n"
    }
}

enum EventPage {
    /// `{ "events": [Event], "next": "<cursor>" }`: `next` is the last event's id, or `after` when none came.
    static func json(_ events: [FeedEvent], after: EventCursor) -> String {
        let next = events.last?.id ?? after
        return "{\"events\":[" + events.map(\.json).joined(separator: ",") + "],\"next\":\(JSONString.quoted(next.description))}"
    }
}
