import Foundation
import Payments

extension Database {
    /// Records the first processor call of an operation before it is made (with its `*-requested` event).
    /// Returns false when the operation is no longer wanted (its payment moved on, or it was cancelled) or no
    /// longer this claim's (a later claim took the lease over).
    /// One statement: the row locks serialise it with a void deciding on the same payment.
    public func recordDispatch(of operation: ClaimedOperation, event: DomainEvent?) async throws(StoreError) -> Bool {
        let events = event.map { [$0] } ?? []
        return try await withConnection { tx throws(StoreError) in
            try tx.execute(
                prepared: "record_dispatch",
                """
                WITH target AS (
                  SELECT o.id FROM operations o JOIN payments p ON p.id = o.payment_id
                  WHERE o.id = $1 AND o.lease_generation = $2 AND o.status = 'queued'
                    AND (o.kind <> 'authorize' OR p.status = 'REQUESTED')
                  FOR UPDATE OF p, o
                ), marked AS (
                  UPDATE operations SET dispatched_at = coalesce(dispatched_at, clock_timestamp())
                  WHERE id IN (SELECT id FROM target) RETURNING id
                ), \(EventSQL.insert(from: 3, when: "marked"))
                SELECT EXISTS (SELECT 1 FROM marked), \(EventSQL.writtenCount)
                """,
                [String(operation.id), String(operation.generation)] + EventSQL.parameters(events)
            ).noteEvents(in: tx)
        }
    }

    /// Remembers the `pi_…` of a created (not yet confirmed) intent, so every later call targets it by id.
    /// Returns the reference now on record: this one, or one recorded before (which the runner then uses).
    /// Fenced: a claim taken over records nothing (`leaseLost`).
    public func recordProcessorReference(_ lease: OperationLease, paymentId: String, reference: String) async throws(StoreError) -> String {
        let row = try await withConnection { tx throws(StoreError) in
            try tx.execute(
                prepared: "record_processor_reference",
                """
                WITH held AS (
                  SELECT id FROM operations WHERE id = $3 AND lease_generation = $4 AND status = 'queued' FOR UPDATE
                ), recorded AS (
                  UPDATE payments SET processor_reference = $2, updated_at = clock_timestamp()
                  WHERE id = $1 AND processor_reference IS NULL AND EXISTS (SELECT 1 FROM held)
                  RETURNING processor_reference
                )
                SELECT EXISTS (SELECT 1 FROM held),
                       coalesce((SELECT processor_reference FROM recorded), (SELECT processor_reference FROM payments WHERE id = $1))
                """, [paymentId, reference, String(lease.operationId), String(lease.generation)])[0]
        }
        guard row.bool(0), let recorded = row.string(1) else { throw StoreError.leaseLost(lease) }
        return recorded
    }

    /// Ends an operation and records its outcome and events, in one statement (one commit): the payment's
    /// change with a compare-and-set on its status, the events only if it applied, and the operation's end.
    /// Returns whether the payment changed (false: something else already moved it, and wrote its events).
    /// Fenced: when the claim was taken over, nothing is written and it throws `leaseLost`.
    @discardableResult
    public func finishOperation(
        _ lease: OperationLease, paymentId: String, change: PaymentChange, events: [DomainEvent], resolution: OperationStatus
    ) async throws(StoreError) -> Bool {
        let row = try await withConnection { tx throws(StoreError) in
            let row = try tx.execute(
                prepared: "finish_operation",
                """
                WITH held AS (
                  SELECT id FROM operations WHERE id = $14 AND lease_generation = $16 AND status = 'queued' FOR UPDATE
                ), changed AS (\(PaymentChangeSQL.update(when: "EXISTS (SELECT 1 FROM held)")) RETURNING id
                ), \(EventSQL.insert(from: 10, when: "changed")), finished AS (
                  UPDATE operations SET status = $15, lease_owner = NULL, lease_until = NULL, updated_at = clock_timestamp()
                  WHERE id IN (SELECT id FROM held) RETURNING id
                )
                SELECT EXISTS (SELECT 1 FROM changed), \(EventSQL.writtenCount), EXISTS (SELECT 1 FROM finished)
                """,
                PaymentChangeSQL.parameters(change, paymentId: paymentId) + EventSQL.parameters(events)
                    + [String(lease.operationId), resolution.rawValue, String(lease.generation)]
            )[0]
            tx.noteEventsWritten(row.int(1) ?? 0)
            return row
        }
        guard row.bool(2) else { throw StoreError.leaseLost(lease) }
        let applied = row.bool(0)
        if applied, let status = change.status { PaymentTransitions.record(status) }
        return applied
    }
}

extension Transaction {
    /// Applies `change` with a compare-and-set on the status; true when the row changed.
    func apply(_ change: PaymentChange, to paymentId: String) throws(StoreError) -> Bool {
        try execute(PaymentChangeSQL.update, PaymentChangeSQL.parameters(change, paymentId: paymentId)).affectedRows == 1
    }
}

/// `UPDATE payments` for a `PaymentChange`: parameters $1 to $9.
enum PaymentChangeSQL {
    static let update = update(when: nil)

    /// With `condition`, the row changes only when it holds too.
    static func update(when condition: String?) -> String {
        """
        UPDATE payments SET status = coalesce($2, status), amount_captured = coalesce($3::bigint, amount_captured),
            failure_reason = coalesce($4, failure_reason), decline_code = coalesce($5, decline_code),
            processor_reference = coalesce(processor_reference, $6),
            last_error = CASE WHEN $7::jsonb IS NOT NULL THEN $7::jsonb
                              WHEN last_error->>'operation' = $9 THEN NULL ELSE last_error END,
            updated_at = clock_timestamp()
        WHERE id = $1 AND ($8::text[] IS NULL OR status = ANY($8::text[]))\(condition.map { " AND \($0)" } ?? "")
        """
    }

    static func parameters(_ change: PaymentChange, paymentId: String) -> [String?] {
        let allowed = change.status.map { PGArray.literal(PaymentStatus.allowedPrevious(for: $0).map(\.rawValue)) }
        return [paymentId, change.status?.rawValue, change.amountCaptured.map(String.init), change.failureReason?.rawValue,
                change.declineCode, change.processorReference, change.lastError?.json, allowed, change.succeeded]
    }
}

extension PGResult {
    /// For statements answering (flag, events written): notes the events, returns the flag.
    func noteEvents(in tx: Transaction) -> Bool {
        tx.noteEventsWritten(self[0].int(1) ?? 0)
        return self[0].bool(0)
    }
}
