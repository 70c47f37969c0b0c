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
    public func recordDispatch(of operation: ClaimedOperation, event: DomainEvent?) async throws(StoreError) -> Bool {
        try await transaction { tx throws(StoreError) in
            let row = try tx.execute(
                """
                SELECT p.status, o.status FROM payments p JOIN operations o ON o.payment_id = p.id
                WHERE o.id = $1 FOR UPDATE OF p, o
                """, [String(operation.id)])
            guard !row.isEmpty, row[0].string(1) == OperationStatus.queued.rawValue else { return false }
            if operation.kind == .authorize && row[0].string(0) != PaymentStatus.requested.rawValue { return false }
            try tx.execute(
                "UPDATE operations SET dispatched_at = coalesce(dispatched_at, clock_timestamp()) WHERE id = $1",
                [String(operation.id)])
            if let event { try tx.append([event]) }
            return true
        }
    }

    /// Remembers the `pi_…` of a created (not yet confirmed) intent, so every later call targets it by id.
    public func recordProcessorReference(paymentId: String, reference: String) async throws(StoreError) {
        try await withConnection { tx throws(StoreError) in
            try tx.execute(
                """
                UPDATE payments SET processor_reference = $2, updated_at = clock_timestamp()
                WHERE id = $1 AND processor_reference IS NULL
                """, [paymentId, reference])
        }
    }

    /// Ends an operation and records its outcome and events in one transaction. Returns whether the
    /// payment changed (false: something else already moved it, and its events were written then).
    @discardableResult
    public func finishOperation(
        id: Int, paymentId: String, change: PaymentChange, events: [DomainEvent], resolution: OperationStatus
    ) async throws(StoreError) -> Bool {
        let applied = try await transaction { tx throws(StoreError) in
            let applied = try tx.apply(change, to: paymentId)
            if applied { try tx.append(events) }
            try tx.execute(
                """
                UPDATE operations SET status = $2, lease_owner = NULL, lease_until = NULL, updated_at = clock_timestamp()
                WHERE id = $1 AND status = 'queued'
                """, [String(id), resolution.rawValue])
            return applied
        }
        if applied, let status = change.status { PaymentTransitions.record(status) }
        return applied
    }
}

extension Transaction {
    /// Applies `change` with a compare-and-set on the status; true when the row changed.
    func apply(_ change: PaymentChange, to paymentId: String) throws(StoreError) -> Bool {
        let allowed = change.status.map { "{" + PaymentStatus.allowedPrevious(for: $0).map(\.rawValue).joined(separator: ",") + "}" }
        let lastError = try change.lastError.map { error throws(StoreError) in
            guard let data = try? JSONEncoder().encode(error) else { throw StoreError(.unexpectedResult, "lastError not encodable") }
            return String(decoding: data, as: UTF8.self)
        }
        let result = try execute(
            """
            UPDATE payments SET status = coalesce($2, status), amount_captured = coalesce($3::bigint, amount_captured),
                failure_reason = coalesce($4, failure_reason), decline_code = coalesce($5, decline_code),
                processor_reference = coalesce(processor_reference, $6), last_error = coalesce($7::jsonb, last_error),
                updated_at = clock_timestamp()
            WHERE id = $1 AND ($8::text[] IS NULL OR status = ANY($8::text[]))
            """,
            [paymentId, change.status?.rawValue, change.amountCaptured.map(String.init), change.failureReason?.rawValue,
             change.declineCode, change.processorReference, lastError, allowed])
        return result.affectedRows == 1
    }
}
