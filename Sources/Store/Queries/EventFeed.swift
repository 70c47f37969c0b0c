import Support

/// One event as the feed serves it; `data` is the stored JSON text, to be embedded verbatim.
public struct FeedEvent: Sendable, Equatable {
    public var id: EventCursor
    public var type: String
    public var occurredAt: String
    public var data: String

    public init(id: EventCursor, type: String, occurredAt: String, data: String) {
        self.id = id
        self.type = type
        self.occurredAt = occurredAt
        self.data = data
    }

    /// `{ "id", "type", "occurredAt", "data" }`, with `data` the stored JSON embedded as it is: the Event of the
    /// feed, of its stream and of every pushed webhook.
    public var json: String {
        "{\"id\":\(JSONString.quoted(id.description)),\"type\":\(JSONString.quoted(type)),"
            + "\"occurredAt\":\(JSONString.quoted(occurredAt)),\"data\":\(data)}"
    }
}

public enum EventFeed {
    /// The channel `NOTIFY`ed by every transaction that appends events (delivered on commit only).
    public static let channel = "payment_events"
    public static let defaultLimit = 100
    public static let maxLimit = 1000
}

extension Database {
    /// Up to `limit` events after `cursor`, oldest first in (xid, seq) order.
    ///
    /// Ordered by the table's `xid8` column, never by the `xid` text the row is returned as: a bare `ORDER BY xid`
    /// would sort the output column, putting xid 1006 before 727 wherever the xids cross a power of ten.
    ///
    /// Only rows whose xid is below the snapshot's xmin are served: every transaction that could still
    /// commit an event has an xid at or above it, so no later commit can sort before a cursor handed out.
    public func events(after cursor: EventCursor = .start, limit: Int = EventFeed.defaultLimit) async throws(StoreError) -> [FeedEvent] {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            let result = try tx.execute(
                """
                SELECT e.xid::text AS xid, e.seq, e.type, rfc3339(e.occurred_at) AS occurred_at, e.data FROM events e
                WHERE (e.xid, e.seq) > (\(String(cursor.xid))::xid8, \(String(cursor.seq))::bigint) AND e.xid < pg_snapshot_xmin(pg_current_snapshot())
                ORDER BY e.xid, e.seq LIMIT \(limit)
                """)
            return try result.rows.map { row throws(StoreError) in try FeedEventRow.decode(row) }
        }
    }
}

enum FeedEventRow {
    /// A row with `xid` (as text), `seq`, `type`, `occurred_at` (RFC 3339) and `data`.
    static func decode(_ row: PGRow) throws(StoreError) -> FeedEvent {
        guard let xid = UInt64(try row.requiredString("xid")), let seq = Int64(try row.requiredString("seq")) else {
            throw StoreError(.unexpectedResult, "event row with a malformed xid or seq")
        }
        return FeedEvent(
            id: EventCursor(xid: xid, seq: seq), type: try row.requiredString("type"),
            occurredAt: try row.requiredString("occurred_at"), data: try row.requiredString("data"))
    }
}
