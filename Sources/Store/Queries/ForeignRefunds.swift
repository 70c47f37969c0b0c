import Payments

extension Database {
    /// Records a refund made elsewhere (found by a sync with no `refund_id` of ours), in one transaction fenced by
    /// the sync's `lease`: a refund row of origin `processor` the first time (under `newRefundId`), or its move to
    /// where the processor now says it stands; the payment's `amountRefunded`; the events. It is found again by its
    /// processor reference, so a rerun after a lost COMMIT reply, or the next sync, records nothing twice.
    public func recordForeignRefund(
        _ lease: OperationLease, of op: ClaimedOperation, _ refund: ForeignRefund, newRefundId: String, at time: String
    ) async throws(StoreError) {
        try await transaction(rerun: .asIs) { tx throws(StoreError) in
            try tx.hold(lease)
            _ = try tx.payment(id: op.paymentId, lock: true)
            let recorded = try tx.execute(
                "SELECT id, status, amount FROM refunds WHERE processor_reference = \(refund.processorReference) FOR UPDATE").rows.first
            let refundId = try recorded?.requiredString("id") ?? newRefundId
            let status = try recorded?.string("status").flatMap(RefundStatus.init(rawValue:))
            let events = refund.events(refundId: refundId, payment: op.payment, paymentId: op.paymentId, recorded: status, at: time)
            guard !events.isEmpty else { return }
            tx.concerns(op.paymentId)
            if let status {
                try tx.move(refundId, from: status, to: refund, amount: try recorded?.int("amount") ?? refund.amount, paymentId: op.paymentId)
            } else {
                try tx.insertForeign(refund, id: refundId, paymentId: op.paymentId)
            }
            try tx.append(events)
        }
    }
}

extension Transaction {
    fileprivate func insertForeign(_ refund: ForeignRefund, id: String, paymentId: String) throws(StoreError) {
        try execute(
            """
            INSERT INTO refunds (id, payment_id, amount, reason, status, processor_reference, failure_reason, origin, created_by)
            VALUES (\(id), \(paymentId), \(refund.amount)::bigint, \(refund.reason), \(refund.status), \(refund.processorReference),
                    \(refund.failureReason), 'processor', 'processor')
            """)
        try addRefunded(RefundTransition(from: .requested, to: refund.status, amount: refund.amount).refundedDelta, to: paymentId)
    }

    fileprivate func move(_ id: String, from status: RefundStatus, to refund: ForeignRefund, amount: Int, paymentId: String) throws(StoreError) {
        try execute(
            """
            UPDATE refunds SET status = \(refund.status), failure_reason = coalesce(\(refund.failureReason), failure_reason),
                updated_at = clock_timestamp()
            WHERE id = \(id)
            """)
        try addRefunded(RefundTransition(from: status, to: refund.status, amount: amount).refundedDelta, to: paymentId)
    }

    fileprivate func addRefunded(_ delta: Int, to paymentId: String) throws(StoreError) {
        guard delta != 0 else { return }
        try execute("UPDATE payments SET amount_refunded = amount_refunded + \(delta), updated_at = clock_timestamp() WHERE id = \(paymentId)")
    }
}
