import Foundation
import Payments

extension Database {
    /// Records where a refund stands at the processor, in one transaction: the refund's status and the payment's
    /// `amountRefunded` as `RefundTransition` decides, the events (only when the refund moves), and, when `lease`
    /// is the refund's own operation (`drivesRefund`), that operation (finished, or left queued for another
    /// read-back after `watchAgainAfter`; its `attempts` restart from 0 when the refund moves, so they count the
    /// read-backs since). A sync operation passes its own lease, which fences the write.
    /// Returns whether the refund's status changed. Its NOTIFY (when it wrote events) names the payment's waiters.
    @discardableResult
    public func recordRefund(_ lease: OperationLease, drivesRefund: Bool, _ record: RefundRecord) async throws(StoreError) -> Bool {
        try await transaction(rerun: .asIs) { tx throws(StoreError) in
            try tx.hold(lease)
            let (transition, paymentId) = try tx.lockRefund(record)
            tx.concerns(paymentId)
            try tx.applyRefund(record, transition, paymentId: paymentId)
            if let lastError = record.lastError { _ = try tx.apply(PaymentChange(lastError: lastError), to: paymentId) }
            if drivesRefund { try tx.settleRefundOperation(lease.operationId, record, transition) }
            return transition.moves
        }
    }
}

extension Transaction {
    /// Locks the refund and its payment; the transition from where the refund stands to `record.status`.
    fileprivate func lockRefund(_ record: RefundRecord) throws(StoreError) -> (RefundTransition, paymentId: String) {
        let result = try execute("SELECT r.status, r.amount, r.payment_id FROM refunds r WHERE r.id = \(record.refundId) FOR UPDATE")
        guard let row = result.rows.first, let current = try row.string("status").flatMap(RefundStatus.init(rawValue:)),
            let amount = try row.int("amount"), let paymentId = try row.string("payment_id")
        else { throw StoreError(.unexpectedResult, "refund \(record.refundId) missing") }
        _ = try payment(id: paymentId, lock: true)
        return (RefundTransition(from: current, to: record.status, amount: amount), paymentId)
    }

    fileprivate func applyRefund(_ record: RefundRecord, _ transition: RefundTransition, paymentId: String) throws(StoreError) {
        guard transition.moves else {
            guard let reference = record.processorReference else { return }
            try execute("UPDATE refunds SET processor_reference = coalesce(processor_reference, \(reference)) WHERE id = \(record.refundId)")
            return
        }
        try execute(
            """
            UPDATE refunds SET status = \(record.status), processor_reference = coalesce(processor_reference, \(record.processorReference)),
                failure_reason = coalesce(\(record.failureReason), failure_reason), updated_at = clock_timestamp()
            WHERE id = \(record.refundId)
            """)
        if transition.refundedDelta != 0 {
            try execute(
                "UPDATE payments SET amount_refunded = amount_refunded + \(transition.refundedDelta), updated_at = clock_timestamp() WHERE id = \(paymentId)")
        }
        try append(record.events)
    }

    /// The refund's own operation: left queued for another read-back, or ended as the transition resolves it.
    fileprivate func settleRefundOperation(_ operationId: Int, _ record: RefundRecord, _ transition: RefundTransition) throws(StoreError) {
        if let watchAgainAfter = record.watchAgainAfter {
            try execute(
                """
                UPDATE operations SET next_attempt_at = clock_timestamp() + make_interval(secs => \(watchAgainAfter.seconds)),
                    attempts = CASE WHEN \(transition.moves) THEN 0 ELSE attempts END,
                    lease_owner = NULL, lease_until = NULL, updated_at = clock_timestamp()
                WHERE id = \(operationId)
                """)
        } else {
            try execute(
                """
                UPDATE operations SET status = \(transition.operationResolution), lease_owner = NULL, lease_until = NULL,
                    updated_at = clock_timestamp()
                WHERE id = \(operationId) AND status = 'queued'
                """)
        }
    }
}

extension Transaction {
    /// Locks the operation while `lease` still holds it; `leaseLost` when a later claim took it over.
    func hold(_ lease: OperationLease) throws(StoreError) {
        let held = try execute(
            prepared: "hold_lease",
            "SELECT 1 FROM operations WHERE id = \(lease.operationId) AND lease_generation = \(lease.generation) AND status = 'queued' FOR UPDATE")
        if held.isEmpty { throw StoreError.leaseLost(lease) }
    }
}

extension Duration {
    /// Seconds as a decimal, for `make_interval(secs => …)`.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
