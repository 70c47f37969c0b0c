import Payments

extension Transaction {
    /// Appends events to the outbox in this transaction, in one statement. An event already written for the
    /// same subject (payment or refund) and type is skipped, so each appears exactly once whatever replays.
    func append(_ events: [DomainEvent]) throws(StoreError) {
        guard !events.isEmpty else { return }
        let written = try execute(
            prepared: "append_events",
            "WITH \(EventSQL.insert(from: 1, when: nil)) SELECT \(EventSQL.writtenCount)",
            EventSQL.parameters(events))
        noteEventsWritten(written[0].int(0) ?? 0)
    }
}

/// The pieces of SQL that write events, shared by every statement that records an outcome with its events.
enum EventSQL {
    /// A `written` CTE inserting the events passed as four array parameters from `$first`, only when the CTE
    /// `when` has a row (nil: always).
    static func insert(from first: Int, when guardCTE: String?) -> String {
        """
        written AS (
          INSERT INTO events (type, subject_id, payment_id, data)
          SELECT * FROM unnest($\(first)::text[], $\(first + 1)::uuid[], $\(first + 2)::uuid[], $\(first + 3)::text[])
          \(guardCTE.map { "WHERE EXISTS (SELECT 1 FROM \($0))" } ?? "")
          ON CONFLICT DO NOTHING RETURNING 1
        )
        """
    }

    /// How many events the statement wrote. The streams are woken after the commit, by `EventNotifier`:
    /// a NOTIFY inside every writing transaction would serialise all their commits on PostgreSQL's
    /// notification queue lock (seen in the end-to-end benchmark as most sessions waiting on it).
    static let writtenCount = "(SELECT count(*) FROM written)"

    static func parameters(_ events: [DomainEvent]) -> [String?] {
        [PGArray.literal(events.map(\.type)), PGArray.literal(events.map(\.subjectId)),
         PGArray.literal(events.map(\.paymentId)), PGArray.literal(events.map(\.dataJSON))]
    }
}
