import Hummingbird
import Logging
import Store

/// `GET /events/stream`: the feed as server-sent events. It reads on every commit notification (any
/// instance's, through `EventSignal`) and at least every `pollInterval`, since a notification can be lost
/// across a reconnect or arrive while an older transaction still holds the feed back. It ends when the
/// signal closes (graceful shutdown) or the client goes away.
struct EventStream: Sendable {
    let database: Database
    let signal: EventSignal
    let logger: Logger
    var pollInterval: Duration = .seconds(1)
    var keepAliveInterval: Duration = .seconds(15)

    private enum Wake { case notified, tick }

    func response(after cursor: EventCursor) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await run(after: cursor, writer: &writer)
            try await writer.finish(nil)
        })
    }

    private func run(after start: EventCursor, writer: inout any ResponseBodyWriter) async throws {
        let notifications = signal.subscribe()
        let (wakes, wake) = AsyncStream<Wake>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let pollInterval = pollInterval
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in notifications { wake.yield(.notified) }
                wake.finish()
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: pollInterval)
                    wake.yield(.tick)
                }
            }
            try await writer.write(ByteBuffer(string: ": connected\n\n"))
            var cursor = try await deliver(after: start, to: &writer)
            var lastWrite = ContinuousClock.now
            for await reason in wakes {
                var next = try await deliver(after: cursor, to: &writer)
                // A commit was announced but an older transaction still holds the feed back: look again soon.
                var retries = reason == .notified ? 5 : 0
                while next == cursor, retries > 0 {
                    retries -= 1
                    try await Task.sleep(for: .milliseconds(100))
                    next = try await deliver(after: cursor, to: &writer)
                }
                if next != cursor {
                    cursor = next
                    lastWrite = .now
                } else if ContinuousClock.now - lastWrite >= keepAliveInterval {
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    lastWrite = .now
                }
            }
            group.cancelAll()
        }
    }

    /// Writes every servable event after `cursor`; returns the new cursor. A database failure is logged and
    /// retried at the next wake-up, with the stream kept open.
    private func deliver(after cursor: EventCursor, to writer: inout any ResponseBodyWriter) async throws -> EventCursor {
        var cursor = cursor
        while true {
            let page: [FeedEvent]
            do {
                page = try await database.events(after: cursor, limit: EventFeed.maxLimit)
            } catch {
                logger.warning("event stream cannot read the feed", metadata: ["error": "\(error)"])
                return cursor
            }
            guard let last = page.last else { return cursor }
            try await writer.write(ByteBuffer(string: page.map(\.serverSentEvent).joined()))
            cursor = last.id
            if page.count < EventFeed.maxLimit { return cursor }
        }
    }
}
