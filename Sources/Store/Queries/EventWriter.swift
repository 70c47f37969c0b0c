import Payments

extension Transaction {
    /// Appends events to the outbox in this transaction. An event already written for the same subject
    /// (payment or refund) and type is skipped, so each appears exactly once whatever replays.
    func append(_ events: [DomainEvent]) throws(StoreError) {
        for event in events {
            try execute(
                "INSERT INTO events (type, subject_id, payment_id, data) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                [event.type, event.subjectId, event.paymentId, event.dataJSON])
        }
        // Wakes the event streams of every instance; PostgreSQL delivers it only if this transaction commits.
        if !events.isEmpty { try execute("SELECT pg_notify($1, '')", [EventFeed.channel]) }
    }
}
