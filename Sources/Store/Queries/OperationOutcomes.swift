import Foundation
import Payments

extension Database {
    /// Records the first processor call of an operation before it is made (with its `*-requested` event).
    /// Returns false when the operation is no longer wanted (its payment moved on, or it was cancelled) or no
    /// longer this claim's (a later claim took the lease over).
    /// One statement: the row locks serialise it with a void deciding on the same payment. Its NOTIFY wakes the
    /// event streams only: no status moved, so no `Prefer: wait` request has anything new to read.
    public func recordDispatch(of operation: ClaimedOperation, event: DomainEvent?) async throws(StoreError) -> Bool {
        let events = event.map { [$0] } ?? []
        return try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            tx.concernsNoWaiter()
            return try tx.execute(
                prepared: "record_dispatch",
                """
                WITH target AS (
                  SELECT o.id FROM operations o JOIN payments p ON p.id = o.payment_id
                  WHERE o.id = \(operation.id) AND o.lease_generation = \(operation.generation) AND o.status = 'queued'
                    AND (o.kind <> 'authorize' OR p.status = 'REQUESTED')
                  FOR UPDATE OF p, o
                ), marked AS (
                  UPDATE operations SET dispatched_at = coalesce(dispatched_at, clock_timestamp())
                  WHERE id IN (SELECT id FROM target) RETURNING id
                ), \(EventSQL.insert(events, when: "marked"))
                SELECT EXISTS (SELECT 1 FROM marked) AS marked, \(EventSQL.writtenCount)
                """)[0].bool("marked")
        }
    }

    /// Remembers the `pi_…` of a created (not yet confirmed) intent, so every later call targets it by id.
    /// Returns the reference now on record: this one, or one recorded before (which the runner then uses).
    /// Fenced: a claim taken over records nothing (`leaseLost`).
    public func recordProcessorReference(_ lease: OperationLease, paymentId: String, reference: String) async throws(StoreError) -> String {
        let (held, recorded) = try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            let row = try tx.execute(
                prepared: "record_processor_reference",
                """
                WITH held AS (
                  SELECT id FROM operations
                  WHERE id = \(lease.operationId) AND lease_generation = \(lease.generation) AND status = 'queued' FOR UPDATE
                ), recorded AS (
                  UPDATE payments SET processor_reference = \(reference), updated_at = clock_timestamp()
                  WHERE id = \(paymentId) AND processor_reference IS NULL AND EXISTS (SELECT 1 FROM held)
                  RETURNING processor_reference
                )
                SELECT EXISTS (SELECT 1 FROM held) AS held,
                       coalesce((SELECT processor_reference FROM recorded),
                                (SELECT processor_reference FROM payments WHERE id = \(paymentId))) AS processor_reference
                """)[0]
            return (try row.bool("held"), try row.string("processor_reference"))
        }
        guard held, let recorded else { throw StoreError.leaseLost(lease) }
        return recorded
    }

    /// Ends an operation and records its outcome and events, in one statement (one commit): the payment's
    /// change with a compare-and-set on its status, the events only if it applied, and the operation's end.
    /// A refusal (`lastError`) is written even when the status had moved already (`noted`): a void refused
    /// because the customer's challenge charged the payment first still tells Ordering to refund.
    /// Returns the payment as this statement left it, or nil when it did not change (something else already
    /// moved it, and wrote its events). Its NOTIFY names the payment's waiters.
    /// Fenced: when the claim was taken over, nothing is written and it throws `leaseLost`.
    @discardableResult
    /// `recheckAfter`: the operation stays queued (`resolution` queued) and is due again after this long.
    public func finishOperation(
        _ lease: OperationLease, paymentId: String, change: PaymentChange, events: [DomainEvent], resolution: OperationStatus,
        recheckAfter: Duration? = nil
    ) async throws(StoreError) -> Payment? {
        let (payment, finished) = try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            tx.wakeWaiters(of: paymentId)
            let row = try tx.execute(
                prepared: "finish_operation",
                """
                WITH held AS (
                  SELECT id FROM operations
                  WHERE id = \(lease.operationId) AND lease_generation = \(lease.generation) AND status = 'queued' FOR UPDATE
                ), changed AS (\(PaymentChangeSQL.update(change, paymentId: paymentId, when: "EXISTS (SELECT 1 FROM held)"))
                  RETURNING \(PaymentRow.columns)
                ), noted AS (
                  UPDATE payments SET last_error = \(change.lastError?.json)::jsonb, updated_at = clock_timestamp()
                  WHERE id = \(paymentId) AND \(change.lastError?.json)::jsonb IS NOT NULL
                    AND EXISTS (SELECT 1 FROM held) AND NOT EXISTS (SELECT 1 FROM changed)
                  RETURNING id
                ), \(EventSQL.insert(events, when: "changed")), finished AS (
                  UPDATE operations SET status = \(resolution), lease_owner = NULL, lease_until = NULL, updated_at = clock_timestamp(),
                    next_attempt_at = coalesce(clock_timestamp() + make_interval(secs => \(recheckAfter?.seconds)::float8), next_attempt_at)
                  WHERE id IN (SELECT id FROM held) RETURNING id
                )
                SELECT changed.*, \(EventSQL.writtenCount), EXISTS (SELECT 1 FROM finished) AS finished
                FROM (VALUES (1)) AS one LEFT JOIN changed ON true
                """)[0]
            return (try row.string("id") == nil ? nil : try PaymentRow.decode(row), try row.bool("finished"))
        }
        guard finished else { throw StoreError.leaseLost(lease) }
        if payment != nil, let status = change.status { PaymentTransitions.record(status) }
        return payment
    }
}

extension Transaction {
    /// Applies `change` with a compare-and-set on the status; true when the row changed.
    func apply(_ change: PaymentChange, to paymentId: String) throws(StoreError) -> Bool {
        try execute(PaymentChangeSQL.update(change, paymentId: paymentId, when: nil)).affectedRows == 1
    }
}

/// `UPDATE payments` for a `PaymentChange`.
enum PaymentChangeSQL {
    /// With `condition`, the row changes only when it holds too. The status moves only from one that may move to it.
    static func update(_ change: PaymentChange, paymentId: String, when condition: String?) -> SQL {
        let allowed = change.status.map { PGArray.literal(PaymentStatus.allowedPrevious(for: $0).map(\.rawValue)) }
        let lastError = change.lastError?.json
        return """
            UPDATE payments p SET status = coalesce(\(change.status), status),
                amount_captured = coalesce(\(change.amountCaptured)::bigint, amount_captured),
                failure_reason = coalesce(\(change.failureReason), failure_reason), decline_code = coalesce(\(change.declineCode), decline_code),
                processor_reference = coalesce(processor_reference, \(change.processorReference)),
                last_error = CASE WHEN \(lastError)::jsonb IS NOT NULL THEN \(lastError)::jsonb
                                  WHEN last_error->>'operation' = \(change.succeeded) THEN NULL ELSE last_error END,
                next_action_type = CASE WHEN coalesce(\(change.status), status) = 'REQUIRES_ACTION'
                                        THEN coalesce(\(change.nextAction?.type), next_action_type) END,
                client_secret = CASE WHEN coalesce(\(change.status), status) = 'REQUIRES_ACTION'
                                     THEN coalesce(\(change.nextAction?.clientSecret), client_secret) END,
                action_required_at = CASE WHEN \(change.status) = 'REQUIRES_ACTION' THEN clock_timestamp() ELSE action_required_at END,
                risk_outcome = coalesce(\(change.riskOutcome), risk_outcome),
                review_status = coalesce(\(change.review?.status.rawValue), review_status),
                review_reason = CASE WHEN \(change.review?.status.rawValue)::text IS NOT NULL THEN \(change.review?.reason) ELSE review_reason END,
                authorization_expires_at = coalesce(\(change.authorizationExpiresAt)::timestamptz, authorization_expires_at),
                void_reason = CASE WHEN coalesce(\(change.status), status) = 'VOIDED'
                                   THEN coalesce(\(change.voidReason), void_reason,
                                                 (SELECT o.void_reason FROM operations o WHERE o.payment_id = p.id AND o.kind = 'void'
                                                  ORDER BY o.id DESC LIMIT 1)) END,
                updated_at = clock_timestamp()
            WHERE id = \(paymentId) AND (\(allowed)::text[] IS NULL OR status = ANY(\(allowed)::text[]))\(unescaped: condition.map { " AND \($0)" } ?? "")
            """
    }
}
