import Payments

extension Transaction {
    /// Appends events to the outbox in this transaction, in one statement. An event already written for the
    /// same subject (payment or refund) and type is skipped, so each appears exactly once whatever replays.
    func append(_ events: [DomainEvent]) throws(StoreError) {
        guard !events.isEmpty else { return }
        try execute(prepared: "append_events", "WITH \(EventSQL.insert(events, when: nil)) SELECT \(EventSQL.writtenCount)")
    }
}

/// The pieces of SQL that write events, shared by every statement that records an outcome with its events:
/// the one way to write to the outbox. A statement holding `insert` wakes the event streams after its commit
/// (`Transaction.execute` reads its `writtenCount`), so no caller can forget to.
enum EventSQL {
    /// A `written` CTE inserting `events`, only when the CTE `when` has a row (nil: always). The statement must
    /// select `writtenCount`.
    static func insert(_ events: [DomainEvent], when guardCTE: String?) -> SQL {
        insert(events, filter: guardCTE.map { "WHERE EXISTS (SELECT 1 FROM \($0))" } ?? "")
    }

    /// A `written` CTE inserting those of `events` whose payment's id is among the `id`s of the CTE `cte`.
    static func insert(_ events: [DomainEvent], ofPaymentsIn cte: String) -> SQL {
        insert(events, filter: "WHERE e.payment_id IN (SELECT id FROM \(cte))")
    }

    private static func insert(_ events: [DomainEvent], filter: String) -> SQL {
        let insert: SQL = """
        written AS (
          INSERT INTO events (type, subject_id, payment_id, data)
          SELECT * FROM unnest(\(array: events.map(\.type))::text[], \(array: events.map(\.subjectId))::uuid[],
                               \(array: events.map(\.paymentId))::uuid[], \(array: events.map(\.dataJSON))::text[])
            AS e(type, subject_id, payment_id, data)
          \(unescaped: filter)
          ON CONFLICT DO NOTHING RETURNING 1
        )
        """
        return insert.writingEvents()
    }

    /// How many events the statement wrote, as `events_written`. The streams are woken after the commit, by
    /// `EventNotifier`: a NOTIFY inside every writing transaction would serialise all their commits on
    /// PostgreSQL's notification queue lock (seen in the end-to-end benchmark as most sessions waiting on it).
    static let writtenCount: SQL = "(SELECT count(*) FROM written) AS events_written"
}
