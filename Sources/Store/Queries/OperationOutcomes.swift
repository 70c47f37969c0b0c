import Foundation
import Payments

/// What an operation's outcome does to its payment. `status` is applied with a compare-and-set: only
/// from a status that may move to it, so a late or repeated outcome never moves a payment back.
public struct PaymentChange: Sendable, Equatable {
    public var status: PaymentStatus?
    public var amountCaptured: Int?
    public var failureReason: FailureReason?
    public var declineCode: String?
    public var processorReference: String?
    public var lastError: PaymentError?

    public init(
        status: PaymentStatus? = nil, amountCaptured: Int? = nil, failureReason: FailureReason? = nil,
        declineCode: String? = nil, processorReference: String? = nil, lastError: PaymentError? = nil
    ) {
        self.status = status
        self.amountCaptured = amountCaptured
        self.failureReason = failureReason
        self.declineCode = declineCode
        self.processorReference = processorReference
        self.lastError = lastError
    }
}

extension Database {
    /// Records the first processor call of an operation before it is made (with its `*-requested` event).
    /// Returns false when the operation is no longer wanted (its payment moved on, or it was cancelled).
    /// One statement: the row locks serialise it with a void deciding on the same payment.
    public func recordDispatch(of operation: ClaimedOperation, event: DomainEvent?) async throws(StoreError) -> Bool {
        let events = event.map { [$0] } ?? []
        return try await withConnection { tx throws(StoreError) in
            try tx.execute(
                prepared: "record_dispatch",
                """
                WITH target AS (
                  SELECT o.id FROM operations o JOIN payments p ON p.id = o.payment_id
                  WHERE o.id = $1 AND o.status = 'queued' AND (o.kind <> 'authorize' OR p.status = 'REQUESTED')
                  FOR UPDATE OF p, o
                ), marked AS (
                  UPDATE operations SET dispatched_at = coalesce(dispatched_at, clock_timestamp())
                  WHERE id IN (SELECT id FROM target) RETURNING id
                ), \(EventSQL.insert(from: 2, when: "marked"))
                SELECT EXISTS (SELECT 1 FROM marked), \(EventSQL.writtenCount)
                """,
                [String(operation.id)] + EventSQL.parameters(events)
            ).noteEvents(in: tx)
        }
    }

    /// Remembers the `pi_…` of a created (not yet confirmed) intent, so every later call targets it by id.
    public func recordProcessorReference(paymentId: String, reference: String) async throws(StoreError) {
        try await withConnection { tx throws(StoreError) in
            try tx.execute(
                prepared: "record_processor_reference",
                """
                UPDATE payments SET processor_reference = $2, updated_at = clock_timestamp()
                WHERE id = $1 AND processor_reference IS NULL
                """, [paymentId, reference])
        }
    }

    /// Ends an operation and records its outcome and events, in one statement (one commit): the payment's
    /// change with a compare-and-set on its status, the events only if it applied, and the operation's end.
    /// Returns whether the payment changed (false: something else already moved it, and wrote its events).
    @discardableResult
    public func finishOperation(
        id: Int, paymentId: String, change: PaymentChange, events: [DomainEvent], resolution: OperationStatus
    ) async throws(StoreError) -> Bool {
        let applied = try await withConnection { tx throws(StoreError) in
            try tx.execute(
                prepared: "finish_operation",
                """
                WITH changed AS (\(PaymentChangeSQL.update) RETURNING id
                ), \(EventSQL.insert(from: 9, when: "changed")), finished AS (
                  UPDATE operations SET status = $14, lease_owner = NULL, lease_until = NULL, updated_at = clock_timestamp()
                  WHERE id = $13 AND status = 'queued'
                )
                SELECT EXISTS (SELECT 1 FROM changed), \(EventSQL.writtenCount)
                """,
                PaymentChangeSQL.parameters(change, paymentId: paymentId) + EventSQL.parameters(events)
                    + [String(id), resolution.rawValue]
            ).noteEvents(in: tx)
        }
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

/// `UPDATE payments` for a `PaymentChange`: parameters $1 to $8.
enum PaymentChangeSQL {
    static let update = """
        UPDATE payments SET status = coalesce($2, status), amount_captured = coalesce($3::bigint, amount_captured),
            failure_reason = coalesce($4, failure_reason), decline_code = coalesce($5, decline_code),
            processor_reference = coalesce(processor_reference, $6), last_error = coalesce($7::jsonb, last_error),
            updated_at = clock_timestamp()
        WHERE id = $1 AND ($8::text[] IS NULL OR status = ANY($8::text[]))
        """

    static func parameters(_ change: PaymentChange, paymentId: String) -> [String?] {
        let allowed = change.status.map { PGArray.literal(PaymentStatus.allowedPrevious(for: $0).map(\.rawValue)) }
        return [paymentId, change.status?.rawValue, change.amountCaptured.map(String.init), change.failureReason?.rawValue,
                change.declineCode, change.processorReference, change.lastError?.json, allowed]
    }
}

extension PGResult {
    /// For statements answering (flag, events written): notes the events, returns the flag.
    fileprivate func noteEvents(in tx: Transaction) -> Bool {
        tx.noteEventsWritten(self[0].int(1) ?? 0)
        return self[0].bool(0)
    }
}
