import Foundation
import Payments

extension Database {
    /// Leases up to `limit` due operations to `owner`. Rows another worker holds are skipped, not waited
    /// for; an expired lease (its holder died) is taken over.
    public func claimOperations(owner: String, limit: Int, lease: Duration) async throws(StoreError) -> [ClaimedOperation] {
        try await withConnection { tx throws(StoreError) in
            try tx.execute(
                prepared: "claim_operations",
                """
                WITH due AS (
                  SELECT id FROM operations
                  WHERE status = 'queued' AND next_attempt_at <= clock_timestamp()
                    AND (lease_until IS NULL OR lease_until < clock_timestamp())
                  ORDER BY next_attempt_at
                  LIMIT $2
                  FOR UPDATE SKIP LOCKED
                ), claimed AS (
                  UPDATE operations o
                  SET lease_owner = $1, lease_until = clock_timestamp() + make_interval(secs => $3),
                      lease_generation = o.lease_generation + 1, attempts = o.attempts + 1, updated_at = clock_timestamp()
                  FROM due WHERE o.id = due.id
                  RETURNING o.*
                )
                SELECT c.id, c.kind, c.payment_id, c.refund_id, c.amount, c.idempotency_key, c.attempts,
                       c.create_attempt, c.dispatched_at IS NOT NULL,
                       p.status, p.order_id, p.customer_id, p.amount, p.currency, p.capture_mode, p.payment_method,
                       p.processor_reference, p.metadata::text,
                       r.status, r.amount, r.reason, r.processor_reference, c.lease_generation, c.key_attempt, c.protocol_faults,
                       extract(epoch FROM clock_timestamp() - c.dispatched_at)
                FROM claimed c JOIN payments p ON p.id = c.payment_id LEFT JOIN refunds r ON r.id = c.refund_id
                ORDER BY c.id
                """,
                [owner, String(limit), String(lease.seconds)]
            ).rows.map { row throws(StoreError) in try Self.decodeClaim(row) }
        }
    }

    /// Gives back every lease `owner` holds (a graceful stop), so another worker takes the work at once.
    public func releaseLeases(owner: String) async throws(StoreError) {
        try await withConnection { tx throws(StoreError) in
            try tx.execute(
                "UPDATE operations SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1 AND status = 'queued'",
                [owner])
        }
    }

    /// Extends a lease while its runner works (the heartbeat); false when a later claim took it over, or when
    /// the runner already gave it back (a late beat must not hold a rescheduled operation).
    public func renewLease(_ lease: OperationLease, for duration: Duration) async throws(StoreError) -> Bool {
        try await withConnection { tx throws(StoreError) in
            try tx.execute(
                prepared: "renew_lease",
                """
                UPDATE operations SET lease_until = clock_timestamp() + make_interval(secs => $3)
                WHERE id = $1 AND lease_generation = $2 AND status = 'queued' AND lease_until IS NOT NULL
                """, [String(lease.operationId), String(lease.generation), String(duration.seconds)]
            ).affectedRows == 1
        }
    }

    /// Puts the operation back in the queue for a later attempt. `newCreateAttempt` moves an authorization
    /// to a fresh create key (only after a create whose answer was unknown: the old intent is unconfirmed);
    /// `newKeyAttempt` moves the operation's other calls to the next numbered key (a saved 500 proved harmless);
    /// `protocolFault` counts an unreadable answer. Fenced: a lease taken over meanwhile writes nothing (`leaseLost`).
    public func reschedule(
        _ lease: OperationLease, after delay: Duration, error: String?, newCreateAttempt: Int? = nil, newKeyAttempt: Int? = nil,
        protocolFault: Bool = false
    ) async throws(StoreError) {
        let moved = try await withConnection { tx throws(StoreError) in
            try tx.execute(
                prepared: "reschedule_operation",
                """
                UPDATE operations
                SET next_attempt_at = clock_timestamp() + make_interval(secs => $3), lease_owner = NULL, lease_until = NULL,
                    last_error = coalesce($4, last_error), create_attempt = coalesce($5::int, create_attempt),
                    key_attempt = coalesce($6::int, key_attempt), protocol_faults = protocol_faults + $7::int,
                    updated_at = clock_timestamp()
                WHERE id = $1 AND lease_generation = $2 AND status = 'queued'
                """,
                [String(lease.operationId), String(lease.generation), String(delay.seconds),
                 error, newCreateAttempt.map(String.init), newKeyAttempt.map(String.init), protocolFault ? "1" : "0"]
            ).affectedRows
        }
        if moved == 0 { throw StoreError.leaseLost(lease) }
    }

    /// The queued operations, the age of the oldest, the parked ones, and the refunds the processor holds
    /// `pending` (sent, answered, not yet settled: they stay REQUESTED with their `re_…` known).
    public func queueDepth() async throws(StoreError) -> (count: Int, oldestSeconds: Double, pendingRefunds: Int, parked: Int) {
        try await withConnection { tx throws(StoreError) in
            let row = try tx.execute(
                """
                SELECT count(*), coalesce(extract(epoch FROM clock_timestamp() - min(created_at)), 0),
                       (SELECT count(*) FROM refunds WHERE status = 'REQUESTED' AND processor_reference IS NOT NULL),
                       (SELECT count(*) FROM operations WHERE status = 'parked')
                FROM operations WHERE status = 'queued'
                """)[0]
            return (row.int(0) ?? 0, Double(row.string(1) ?? "0") ?? 0, row.int(2) ?? 0, row.int(3) ?? 0)
        }
    }

    static func decodeClaim(_ row: PGRow) throws(StoreError) -> ClaimedOperation {
        guard let kind = OperationKind(rawValue: try row.requiredString(1)),
            let status = PaymentStatus(rawValue: try row.requiredString(9)),
            let capture = CaptureMode(rawValue: try row.requiredString(14))
        else { throw StoreError(.unexpectedResult, "operation row with an unknown kind or status") }
        let metadata = (try? JSONDecoder().decode([String: String].self, from: Data((row.string(17) ?? "{}").utf8))) ?? [:]
        let refund = row.string(18).flatMap(RefundStatus.init(rawValue:)).map { status in
            RefundContext(
                status: status, amount: row.int(19) ?? 0, reason: row.string(20).flatMap(RefundReason.init(rawValue:)),
                processorReference: row.string(21))
        }
        return ClaimedOperation(
            id: try row.requiredInt(0), generation: try row.requiredInt(22), kind: kind, paymentId: try row.requiredString(2), refundId: row.string(3),
            amount: row.int(4), idempotencyKey: try row.requiredString(5), attempts: try row.requiredInt(6),
            createAttempt: try row.requiredInt(7), keyAttempt: try row.requiredInt(23), protocolFaults: try row.requiredInt(24),
            dispatched: row.bool(8), sinceDispatch: row.string(25).flatMap(Double.init).map { .milliseconds(Int($0 * 1000)) },
            payment: PaymentContext(
                status: status, orderId: try row.requiredString(10), customerId: row.string(11),
                amount: try row.requiredInt(12), currency: try row.requiredString(13), capture: capture,
                paymentMethod: try row.requiredString(15), processorReference: row.string(16), metadata: metadata),
            refund: refund)
    }
}
