import Hummingbird
import Store

/// `GET /events?after=&limit=` (a page of the feed) and `GET /events/stream` (server-sent events).
struct EventRoutes {
    let database: Database
    let signal: EventSignal

    func register(on routes: RouteTable) {
        routes.get("events", .requires(.events)) { request, _ in try await page(request) }
        routes.get("events/stream", .requires(.events)) { request, context in
            let query = try FeedQuery(request, resumable: true)
            return EventStream(database: database, signal: signal, logger: context.logger).response(after: query.after)
        }
    }

    func page(_ request: Request) async throws -> Response {
        let query = try FeedQuery(request)
        let events = try await stored { () async throws(StoreError) in
            try await database.events(after: query.after, limit: query.limit)
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: EventPage.json(events, after: query.after))))
    }
}
