import Foundation
import Payments

extension Database {
    /// Records where a refund stands at the processor, in one transaction: the refund's status (forward
    /// only: REQUESTED → PROCESSED|FAILED, PROCESSED → FAILED), the payment's `amountRefunded`, the events,
    /// and, when `lease` is the refund's own operation (`drivesRefund`), that operation (finished, or left
    /// queued for another read-back after `watchAgainAfter`; its `attempts` restart from 0 when the refund
    /// moves, so they count the read-backs since). A sync operation passes its own lease, which fences the write.
    /// Returns whether the refund's status changed.
    @discardableResult
    public func recordRefund(
        _ lease: OperationLease, drivesRefund: Bool, refundId: String, status: RefundStatus, processorReference: String?,
        failureReason: String?, events: [DomainEvent], lastError: PaymentError? = nil, watchAgainAfter: Duration?
    ) async throws(StoreError) -> Bool {
        try await transaction { tx throws(StoreError) in
            try tx.hold(lease)
            let row = try tx.execute(
                "SELECT r.status, r.amount, r.payment_id FROM refunds r WHERE r.id = $1 FOR UPDATE", [refundId])
            guard !row.isEmpty, let current = row[0].string(0).flatMap(RefundStatus.init(rawValue:)),
                let amount = row[0].int(1), let paymentId = row[0].string(2)
            else { throw StoreError(.unexpectedResult, "refund \(refundId) missing") }
            _ = try tx.payment(id: paymentId, lock: true)
            let moves = current != status && (current == .requested || (current == .processed && status == .failed))
            if moves {
                try tx.execute(
                    """
                    UPDATE refunds SET status = $2, processor_reference = coalesce(processor_reference, $3),
                        failure_reason = coalesce($4, failure_reason), updated_at = clock_timestamp()
                    WHERE id = $1
                    """, [refundId, status.rawValue, processorReference, failureReason])
                let delta = status == .processed ? amount : (current == .processed ? -amount : 0)
                if delta != 0 {
                    try tx.execute(
                        "UPDATE payments SET amount_refunded = amount_refunded + $2, updated_at = clock_timestamp() WHERE id = $1",
                        [paymentId, String(delta)])
                }
                try tx.append(events)
            } else if let processorReference {
                try tx.execute(
                    "UPDATE refunds SET processor_reference = coalesce(processor_reference, $2) WHERE id = $1",
                    [refundId, processorReference])
            }
            if let lastError { _ = try tx.apply(PaymentChange(lastError: lastError), to: paymentId) }
            let operationId = lease.operationId
            if drivesRefund, let watchAgainAfter {
                try tx.execute(
                    """
                    UPDATE operations SET next_attempt_at = clock_timestamp() + make_interval(secs => $2),
                        attempts = CASE WHEN $3 THEN 0 ELSE attempts END,
                        lease_owner = NULL, lease_until = NULL, updated_at = clock_timestamp()
                    WHERE id = $1
                    """, [String(operationId), String(watchAgainAfter.seconds), moves ? "true" : "false"])
            } else if drivesRefund {
                try tx.execute(
                    """
                    UPDATE operations SET status = $2, lease_owner = NULL, lease_until = NULL, updated_at = clock_timestamp()
                    WHERE id = $1 AND status = 'queued'
                    """, [String(operationId), status == .failed && current == .requested ? "failed" : "done"])
            }
            return moves
        }
    }
}

extension Transaction {
    /// Locks the operation while `lease` still holds it; `leaseLost` when a later claim took it over.
    func hold(_ lease: OperationLease) throws(StoreError) {
        let held = try execute(
            prepared: "hold_lease",
            "SELECT 1 FROM operations WHERE id = $1 AND lease_generation = $2 AND status = 'queued' FOR UPDATE",
            [String(lease.operationId), String(lease.generation)])
        if held.isEmpty { throw StoreError.leaseLost(lease) }
    }
}

extension Duration {
    /// Seconds as a decimal, for `make_interval(secs => …)`.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
