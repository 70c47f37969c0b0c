import Payments

extension Transaction {
    /// Appends events to the outbox in this transaction, in one statement. An event already written for the
    /// same subject (payment or refund) and type is skipped, so each appears exactly once whatever replays.
    /// When any is written, the event streams of every instance are woken: PostgreSQL delivers the
    /// notification only if this transaction commits.
    func append(_ events: [DomainEvent]) throws(StoreError) {
        guard !events.isEmpty else { return }
        try execute(
            prepared: "append_events",
            """
            WITH written AS (
              INSERT INTO events (type, subject_id, payment_id, data)
              SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[])
              ON CONFLICT DO NOTHING RETURNING 1
            )
            SELECT pg_notify($5, '') WHERE EXISTS (SELECT 1 FROM written)
            """,
            [
                PGArray.literal(events.map(\.type)), PGArray.literal(events.map(\.subjectId)),
                PGArray.literal(events.map(\.paymentId)), PGArray.literal(events.map(\.dataJSON)), EventFeed.channel,
            ])
    }
}
