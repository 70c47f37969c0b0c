import Foundation
import Payments

extension Database {
    /// Leases up to `limit` due operations to `owner`. Rows another worker holds are skipped, not waited
    /// for; an expired lease (its holder died) is taken over.
    public func claimOperations(owner: String, limit: Int, lease: Duration) async throws(StoreError) -> [ClaimedOperation] {
        try await claim(prepared: "claim_operations", ClaimSQL.sweep(limit: limit, owner: owner, lease: lease))
    }

    /// Leases the operations `ids` that are due and free, in the same one statement as a sweep's claim (the
    /// fencing token included): the worker's fast path for work its own process just committed. An operation
    /// another worker holds, or one already run, is left out.
    public func claimOperations(ids: [Int], owner: String, lease: Duration) async throws(StoreError) -> [ClaimedOperation] {
        try await claim(prepared: "claim_operations_by_id", ClaimSQL.byId(ids, owner: owner, lease: lease))
    }

    private func claim(prepared name: String, _ sql: SQL) async throws(StoreError) -> [ClaimedOperation] {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute(prepared: name, sql).rows.map { row throws(StoreError) in try ClaimRow.decode(row) }
        }
    }

    /// Gives back every lease `owner` holds (a graceful stop), so another worker takes the work at once.
    public func releaseLeases(owner: String) async throws(StoreError) {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute(
                "UPDATE operations SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = \(owner) AND status = 'queued'")
        }
    }

    /// Extends a lease while its runner works (the heartbeat); false when a later claim took it over, or when
    /// the runner already gave it back (a late beat must not hold a rescheduled operation).
    public func renewLease(_ lease: OperationLease, for duration: Duration) async throws(StoreError) -> Bool {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute(
                prepared: "renew_lease",
                """
                UPDATE operations SET lease_until = clock_timestamp() + make_interval(secs => \(duration.seconds))
                WHERE id = \(lease.operationId) AND lease_generation = \(lease.generation) AND status = 'queued' AND lease_until IS NOT NULL
                """
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
        let moved = try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute(
                prepared: "reschedule_operation",
                """
                UPDATE operations
                SET next_attempt_at = clock_timestamp() + make_interval(secs => \(delay.seconds)), lease_owner = NULL, lease_until = NULL,
                    last_error = coalesce(\(error), last_error), create_attempt = coalesce(\(newCreateAttempt)::int, create_attempt),
                    key_attempt = coalesce(\(newKeyAttempt)::int, key_attempt), protocol_faults = protocol_faults + \(protocolFault ? 1 : 0)::int,
                    updated_at = clock_timestamp()
                WHERE id = \(lease.operationId) AND lease_generation = \(lease.generation) AND status = 'queued'
                """
            ).affectedRows
        }
        if moved == 0 { throw StoreError.leaseLost(lease) }
    }

    /// The queued operations, the age of the oldest, the parked ones, and the refunds the processor holds
    /// `pending` (sent, answered, not yet settled: they stay REQUESTED with their `re_…` known).
    /// Also the payments waiting for their customer's authentication (REQUIRES_ACTION), whose authorizations
    /// are not counted as queued work: they wait for a person, not for a worker, and would age the oldest.
    public func queueDepth() async throws(StoreError) -> QueueDepth {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            let row = try tx.execute(
                """
                SELECT count(*) AS queued, coalesce(extract(epoch FROM clock_timestamp() - min(created_at)), 0) AS oldest_seconds,
                       (SELECT count(*) FROM refunds WHERE status = 'REQUESTED' AND processor_reference IS NOT NULL) AS pending_refunds,
                       (SELECT count(*) FROM operations WHERE status = 'parked') AS parked,
                       (SELECT count(*) FROM payments WHERE status = 'REQUIRES_ACTION') AS requiring_action
                FROM operations WHERE status = 'queued'
                  AND NOT (kind = 'authorize' AND payment_id IN (SELECT id FROM payments WHERE status = 'REQUIRES_ACTION'))
                """)[0]
            return QueueDepth(
                count: try row.int("queued") ?? 0, oldestSeconds: Double(try row.string("oldest_seconds") ?? "0") ?? 0,
                pendingRefunds: try row.int("pending_refunds") ?? 0, parked: try row.int("parked") ?? 0,
                requiringAction: try row.int("requiring_action") ?? 0)
        }
    }
}

/// What the queue gauges show.
public struct QueueDepth: Sendable, Equatable {
    public var count: Int
    public var oldestSeconds: Double
    public var pendingRefunds: Int
    public var parked: Int
    public var requiringAction: Int
}

/// The claim statements: a selection of operations locked (skipping those locked elsewhere), then leased to
/// `owner` if still due and free, each with a new lease generation and what its runner needs of its payment
/// and refund. The lease is written through the primary key (`= ANY(ARRAY(…))`, one array computed once): a join
/// with the locked rows was planned, generically, as a hash join over every queued operation.
enum ClaimSQL {
    /// The oldest due, through the due-operations index. Only kinds this build runs: during a rolling deploy an
    /// older instance must not lease (and strand) the kinds a newer migration added.
    static func sweep(limit: Int, owner: String, lease: Duration) -> SQL {
        claim(owner: owner, lease: lease, locking: """
            SELECT id FROM operations
            WHERE status = 'queued' AND next_attempt_at <= clock_timestamp()
              AND (lease_until IS NULL OR lease_until < clock_timestamp())
              AND kind = ANY(\(knownKinds)::text[])
            ORDER BY next_attempt_at
            LIMIT \(limit)
            FOR UPDATE SKIP LOCKED
            """)
    }

    static let knownKinds = PGArray.literal(OperationKind.allCases.map(\.rawValue))

    /// By primary key alone: with the due conditions beside it, the generic plan walked the due-operations
    /// index (every queued operation) and filtered the ids out of it, 4 ms a claim under load.
    static func byId(_ ids: [Int], owner: String, lease: Duration) -> SQL {
        claim(owner: owner, lease: lease, locking: """
            SELECT id FROM operations WHERE id = ANY(\(array: ids.map(String.init))::bigint[]) FOR UPDATE SKIP LOCKED
            """)
    }

    private static func claim(owner: String, lease: Duration, locking: SQL) -> SQL {
        """
        WITH locked AS (\(locking)), claimed AS (
          UPDATE operations o
          SET lease_owner = \(owner), lease_until = clock_timestamp() + make_interval(secs => \(lease.seconds)),
              lease_generation = o.lease_generation + 1, attempts = o.attempts + 1, updated_at = clock_timestamp()
          WHERE o.id = ANY(ARRAY(SELECT id FROM locked)) AND o.status = 'queued' AND o.next_attempt_at <= clock_timestamp()
            AND (o.lease_until IS NULL OR o.lease_until < clock_timestamp())
          RETURNING o.*
        )
        SELECT c.id, c.kind, c.payment_id, c.refund_id, c.amount, c.idempotency_key, c.attempts,
               c.create_attempt, c.dispatched_at IS NOT NULL AS dispatched,
               p.status AS payment_status, p.order_id, p.customer_id, p.amount AS payment_amount, p.currency,
               p.capture_mode, p.payment_method, p.processor_reference, p.metadata::text AS metadata,
               r.status AS refund_status, r.amount AS refund_amount, r.reason AS refund_reason,
               r.processor_reference AS refund_processor_reference, c.lease_generation, c.key_attempt, c.protocol_faults,
               extract(epoch FROM clock_timestamp() - c.dispatched_at) AS since_dispatch,
               p.customer_present, extract(epoch FROM clock_timestamp() - p.action_required_at) AS action_age,
               p.review_status, p.review_reason, c.dispute_reference, c.traceparent
        FROM claimed c JOIN payments p ON p.id = c.payment_id LEFT JOIN refunds r ON r.id = c.refund_id
        ORDER BY c.id
        """
    }
}

/// The decoding of a claimed operation's row (`claimOperations`'s select list).
enum ClaimRow {
    static func decode(_ row: PGRow) throws(StoreError) -> ClaimedOperation {
        ClaimedOperation(
            id: try row.requiredInt("id"), generation: try row.requiredInt("lease_generation"),
            kind: try row.required("kind", as: OperationKind.self), paymentId: try row.requiredString("payment_id"),
            refundId: try row.string("refund_id"), amount: try row.int("amount"), idempotencyKey: try row.requiredString("idempotency_key"),
            attempts: try row.requiredInt("attempts"), createAttempt: try row.requiredInt("create_attempt"),
            keyAttempt: try row.requiredInt("key_attempt"), protocolFaults: try row.requiredInt("protocol_faults"),
            dispatched: try row.bool("dispatched"),
            sinceDispatch: try duration(row, "since_dispatch"), payment: try payment(row), refund: try refund(row),
            disputeReference: try row.string("dispute_reference"), traceparent: try row.string("traceparent"))
    }

    private static func payment(_ row: PGRow) throws(StoreError) -> PaymentContext {
        let metadata = (try? JSONDecoder().decode([String: String].self, from: Data((try row.string("metadata") ?? "{}").utf8))) ?? [:]
        return PaymentContext(
            status: try row.required("payment_status", as: PaymentStatus.self), orderId: try row.requiredString("order_id"),
            customerId: try row.string("customer_id"), amount: try row.requiredInt("payment_amount"),
            currency: try row.requiredString("currency"), capture: try row.required("capture_mode", as: CaptureMode.self),
            paymentMethod: try row.requiredString("payment_method"), processorReference: try row.string("processor_reference"),
            metadata: metadata, customerPresent: try row.bool("customer_present"),
            actionAge: try row.string("payment_status") == PaymentStatus.requiresAction.rawValue ? try duration(row, "action_age") : nil,
            review: try PaymentRow.review(row))
    }

    /// A number of seconds, as `extract(epoch …)` gives it.
    private static func duration(_ row: PGRow, _ column: String) throws(StoreError) -> Duration? {
        try row.string(column).flatMap(Double.init).map { .milliseconds(Int($0 * 1000)) }
    }

    /// The refund a `refund` operation drives; nil for the other kinds.
    private static func refund(_ row: PGRow) throws(StoreError) -> RefundContext? {
        guard let status = try row.string("refund_status").flatMap(RefundStatus.init(rawValue:)) else { return nil }
        return RefundContext(
            status: status, amount: try row.int("refund_amount") ?? 0,
            reason: try row.string("refund_reason").flatMap(RefundReason.init(rawValue:)),
            processorReference: try row.string("refund_processor_reference"))
    }
}
