/// How long the records that only exist to recognise repeats are kept.
public struct RetentionPolicy: Sendable, Equatable {
    /// Authorization `Idempotency-Key`s: the contract promises at least 72 hours; a week leaves room to spare.
    /// Past it, a retry of the same body is still a replay while its payment is the cart's latest; if the cart
    /// moved on to another payment that also ended (FAILED or VOIDED), it is a new command, as the contract
    /// allows. Refund keys are kept for good: nothing else would stop a late retry from refunding twice, and
    /// they are few.
    public var idempotencyKeys: Duration
    /// Processed webhook event ids: Stripe retries a delivery for up to 3 days. A repeat seen after this is
    /// still harmless (a webhook only ever triggers a read-back), it just costs a GET.
    public var webhookEvents: Duration
    /// Pushed webhooks' delivery log (`GET /webhook-endpoints/{id}/deliveries`): rows that ended (delivered or
    /// failed) go this long after their last attempt; a pending one stays while its event holds the endpoint.
    public var webhookDeliveries: Duration

    public static let standard = RetentionPolicy(idempotencyKeys: .seconds(7 * 86_400), webhookEvents: .seconds(30 * 86_400))

    public init(idempotencyKeys: Duration, webhookEvents: Duration, webhookDeliveries: Duration = .seconds(30 * 86_400)) {
        self.idempotencyKeys = idempotencyKeys
        self.webhookEvents = webhookEvents
        self.webhookDeliveries = webhookDeliveries
    }
}

extension Database {
    /// Deletes authorization idempotency keys, webhook event ids and ended webhook deliveries older than `policy` allows, `batch` rows per statement
    /// (each its own short transaction, so no sweep holds many locks or runs long). Stops between batches
    /// when the task is cancelled. Returns how many went.
    public func purgeExpired(
        _ policy: RetentionPolicy, batch: Int = 1_000
    ) async throws(StoreError) -> (idempotencyKeys: Int, webhookEvents: Int, webhookDeliveries: Int) {
        precondition(batch > 0, "a purge batch deletes at least one row")
        let keys = try await purge(
            table: "idempotency_keys", stampedBy: "created_at", olderThan: policy.idempotencyKeys,
            onlyWhere: "fingerprint LIKE 'authorize %'", batch: batch)
        let webhooks = try await purge(
            table: "webhook_events", stampedBy: "received_at", olderThan: policy.webhookEvents, onlyWhere: "true", batch: batch)
        let deliveries = try await purge(
            table: "webhook_deliveries", stampedBy: "updated_at", olderThan: policy.webhookDeliveries, onlyWhere: "status <> 'pending'",
            batch: batch)
        return (keys, webhooks, deliveries)
    }

    private func purge(
        table: String, stampedBy column: String, olderThan age: Duration, onlyWhere filter: String, batch: Int
    ) async throws(StoreError) -> Int {
        var total = 0
        while true {
            let deleted = try await withConnection(rerun: .asIs) { tx throws(StoreError) in
                try tx.execute(
                    """
                    DELETE FROM \(unescaped: table) WHERE ctid = ANY(ARRAY(
                      SELECT ctid FROM \(unescaped: table)
                      WHERE \(unescaped: column) < clock_timestamp() - make_interval(secs => \(age.seconds)) AND \(unescaped: filter)
                      LIMIT \(batch)))
                    """
                ).affectedRows
            }
            total += deleted
            if deleted < batch || Task.isCancelled { return total }
        }
    }
}
