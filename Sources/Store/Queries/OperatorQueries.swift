import Payments

/// `GET /payments`' filters for operators; nil is no filter. Pages walk creation order, `(createdAt, id)`, which
/// never changes: a payment that matches throughout appears exactly once however the others change meanwhile.
public struct PaymentFilter: Sendable, Equatable {
    public var cartId: String?
    public var status: PaymentStatus?
    /// RFC 3339 instants, inclusive.
    public var createdFrom: String?
    public var createdTo: String?
    public var hasLastError: Bool?
    public var currency: String?
    public var amountFrom: Int?
    public var amountTo: Int?

    public init() {}
}

/// Where a page of payments starts: after the payment created at `micros` (since the epoch) with this id.
public struct PaymentCursor: Sendable, Equatable, CustomStringConvertible {
    public var micros: Int
    public var paymentId: String

    public init(micros: Int, paymentId: String) {
        self.micros = micros
        self.paymentId = paymentId
    }

    public var description: String { "\(micros).\(paymentId)" }
}

extension Database {
    /// A page of payments matching `filter`, oldest first, after `after`; `next` when a full page came back.
    public func payments(
        matching filter: PaymentFilter, after: PaymentCursor?, limit: Int
    ) async throws(StoreError) -> (payments: [Payment], next: PaymentCursor?) {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            let rows = try tx.execute(
                """
                SELECT \(PaymentRow.columns), (extract(epoch FROM p.created_at) * 1000000)::bigint AS cursor_micros
                FROM payments p
                WHERE (\(filter.cartId)::uuid IS NULL OR p.cart_id = \(filter.cartId)::uuid)
                  AND (\(filter.status)::text IS NULL OR p.status = \(filter.status)::text)
                  AND (\(filter.createdFrom)::timestamptz IS NULL OR p.created_at >= \(filter.createdFrom)::timestamptz)
                  AND (\(filter.createdTo)::timestamptz IS NULL OR p.created_at <= \(filter.createdTo)::timestamptz)
                  AND (\(filter.hasLastError.map(String.init))::boolean IS NULL
                       OR (p.last_error IS NOT NULL) = \(filter.hasLastError.map(String.init))::boolean)
                  AND (\(filter.currency)::text IS NULL OR p.currency = \(filter.currency)::text)
                  AND (\(filter.amountFrom)::bigint IS NULL OR p.amount >= \(filter.amountFrom)::bigint)
                  AND (\(filter.amountTo)::bigint IS NULL OR p.amount <= \(filter.amountTo)::bigint)
                  AND (\(after?.paymentId)::uuid IS NULL
                       OR (p.created_at, p.id) > (timestamptz 'epoch' + \(after?.micros)::bigint * interval '1 microsecond', \(after?.paymentId)::uuid))
                ORDER BY p.created_at, p.id LIMIT \(limit)::int
                """
            ).rows
            let payments = try rows.map { row throws(StoreError) in try PaymentRow.decode(row) }
            guard rows.count == limit, let last = rows.last, let micros = try last.int("cursor_micros") else { return (payments, nil) }
            return (payments, PaymentCursor(micros: micros, paymentId: try last.requiredString("id")))
        }
    }

    /// A page of the operations in `states` (queued, failed, parked), by id, after the id `after`. A refusal is
    /// recorded in the payment's `lastError`: a failed operation shows it while it is that operation's.
    public func operations(in states: [OperationStatus], after: Int?, limit: Int) async throws(StoreError) -> [OperationRecord] {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute(
                """
                SELECT o.id, o.kind, o.status, o.payment_id, o.refund_id, o.amount, o.attempts, o.key_attempt,
                       rfc3339(o.next_attempt_at) AS next_attempt_at, o.lease_owner, rfc3339(o.lease_until) AS lease_until,
                       coalesce(o.last_error, CASE WHEN o.status = 'failed' AND p.last_error->>'operation' = o.kind
                                                   THEN (p.last_error->>'code') || ': ' || (p.last_error->>'message') END) AS last_error,
                       o.actor, rfc3339(o.created_at) AS created_at, rfc3339(o.updated_at) AS updated_at
                FROM operations o JOIN payments p ON p.id = o.payment_id
                WHERE o.status = ANY(\(array: states.map(\.rawValue))::text[]) AND o.id > \(after ?? 0)::bigint
                ORDER BY o.id LIMIT \(limit)::int
                """
            ).rows.map { row throws(StoreError) in try OperationRow.decode(row) }
        }
    }
}

enum OperationRow {
    static func decode(_ row: PGRow) throws(StoreError) -> OperationRecord {
        OperationRecord(
            id: try row.requiredInt("id"), kind: try row.requiredString("kind"), status: try row.requiredString("status"),
            paymentId: try row.requiredString("payment_id"), refundId: try row.string("refund_id"), amount: try row.int("amount"),
            attempts: try row.requiredInt("attempts"), keyAttempt: try row.requiredInt("key_attempt"),
            nextAttemptAt: try row.requiredString("next_attempt_at"), leaseOwner: try row.string("lease_owner"),
            leaseUntil: try row.string("lease_until"), lastError: try row.string("last_error"), actor: try row.string("actor"),
            createdAt: try row.requiredString("created_at"), updatedAt: try row.requiredString("updated_at"))
    }
}
