import Payments
import Support

extension Database {
    /// Publishes `payment-authorization-expiring` for the holds whose deadline is within `within`, each once: the
    /// payment's `expiry_warned_at` is set in the same commit, under its row lock (instances sweeping at once skip
    /// each other's rows). Returns how many were warned.
    public func warnExpiringHolds(within: Duration, limit: Int = 100) async throws(StoreError) -> Int {
        try await transaction(rerun: .asIs) { tx throws(StoreError) in
            let due = try tx.execute(
                """
                SELECT \(PaymentRow.columns) FROM payments p
                WHERE p.status = 'AUTHORIZED' AND p.expiry_warned_at IS NULL
                  AND p.authorization_expires_at <= clock_timestamp() + make_interval(secs => \(within.seconds))
                ORDER BY p.authorization_expires_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
                """
            ).rows.map { row throws(StoreError) in try PaymentRow.decode(row) }
            guard !due.isEmpty else { return 0 }
            let time = Timestamp.now()
            try tx.execute(
                "UPDATE payments SET expiry_warned_at = clock_timestamp() WHERE id = ANY(\(array: due.map(\.paymentId))::uuid[])")
            try tx.append(due.compactMap { HoldExpiry.warning(for: $0, at: time) })
            return due.count
        }
    }

    /// `EXPIRED_HOLD_POLICY=void`: queues a void (`EXPIRY_POLICY`) for each hold within `lead` of its deadline, as
    /// `LifecycleDecision.void` decides it under the payment's row lock (a capture queued meanwhile wins). One policy
    /// void per payment: a refused one is not asked again. A payment with a capture or void in hand is not a
    /// candidate (its operation decides), so such payments cannot crowd the others out of the batch.
    /// Returns the voids queued.
    public func voidExpiringHolds(lead: Duration, limit: Int = 100) async throws(StoreError) -> [Int] {
        try await transaction(rerun: .asIs) { tx throws(StoreError) in
            let due = try tx.execute(
                """
                SELECT \(PaymentRow.columns) FROM payments p
                WHERE p.status = 'AUTHORIZED' AND p.authorization_expires_at <= clock_timestamp() + make_interval(secs => \(lead.seconds))
                  AND NOT EXISTS (SELECT 1 FROM operations o WHERE o.payment_id = p.id AND o.kind IN ('capture', 'void')
                                  AND (o.void_reason = 'EXPIRY_POLICY' OR o.status IN ('queued', 'parked')))
                ORDER BY p.authorization_expires_at LIMIT \(limit) FOR UPDATE OF p SKIP LOCKED
                """
            ).rows.map { row throws(StoreError) in try PaymentRow.decode(row) }
            var queued: [Int] = []
            for payment in due {
                let decision = LifecycleDecision.void(payment: payment, operations: try tx.operations(of: payment.paymentId))
                guard case .enqueue = decision, case .queued(_, let id) = try tx.carryOut(decision, for: payment, voidReason: .expiryPolicy, by: .expiryPolicy).outcome
                else { continue }
                queued.append(id)
            }
            return queued
        }
    }
}
