import Payments

public enum RefundRequestOutcome: Sendable {
    /// Reserved, with the operation that drives it.
    case created(Refund, operationId: Int)
    case replayed(Refund)
    case conflict(String)
    case notFound
}

extension Database {
    /// `POST /payments/{id}/refunds`: checks what is left to refund and reserves it under the payment's row
    /// lock, so concurrent refunds can never add up to more than was captured.
    public func requestRefund(
        paymentId: String, amount: Int?, reason: RefundReason?, newRefundId: String, idempotencyKey: IdempotencyKey?,
        by attribution: Attribution
    ) async throws(StoreError) -> RefundRequestOutcome {
        // A run after a lost COMMIT reply finds the refund its first run committed, and answers the same.
        let committed = Rerun<RefundRequestOutcome>.whenRecognised { tx throws(StoreError) in
            guard let refund = try tx.refund(id: newRefundId) else { return nil }
            return .created(refund, operationId: try tx.execute("SELECT id FROM operations WHERE refund_id = \(newRefundId)")[0].requiredInt("id"))
        }
        return try await transaction(rerun: committed) { tx throws(StoreError) in
            let fingerprint = "refund \(paymentId) \(amount.map(String.init) ?? "all") \(reason?.rawValue ?? "-")"
            if let idempotencyKey, let earlier = try tx.refundRequest(keyed: idempotencyKey, fingerprint: fingerprint) { return earlier }
            guard let payment = try tx.payment(id: paymentId, lock: true) else { return .notFound }
            let reserved = try tx.execute(
                "SELECT coalesce(sum(amount), 0) AS reserved FROM refunds WHERE payment_id = \(paymentId) AND status IN ('REQUESTED', 'PROCESSED')"
            )[0].requiredInt("reserved")
            let wanted: Int
            let disputes = try tx.disputes(ofPayment: paymentId)
            switch RefundRequestDecision.decide(payment: payment, reserved: reserved, amount: amount, disputes: disputes) {
            case .conflict(let reason): return .conflict(reason)
            case .refund(let amount): wanted = amount
            }
            try tx.execute(
                """
                INSERT INTO refunds (id, payment_id, amount, reason, status, created_by)
                VALUES (\(newRefundId), \(paymentId), \(wanted), \(reason), 'REQUESTED', \(attribution.actor))
                """)
            let operationId = try tx.enqueue(
                .refund, paymentId: paymentId, amount: wanted, key: "\(newRefundId):refund", refundId: newRefundId, actor: attribution.actor)
            try tx.appendAudit(AuditEntry(
                attribution, .refund, subject: newRefundId, paymentId: paymentId, statusBefore: nil, statusAfter: RefundStatus.requested.rawValue))
            if let idempotencyKey { try tx.rememberIdempotencyKey(idempotencyKey, fingerprint: fingerprint, resource: newRefundId) }
            guard let refund = try tx.refund(id: newRefundId) else { throw StoreError(.unexpectedResult, "refund vanished") }
            return .created(refund, operationId: operationId)
        }
    }
}

extension Transaction {
    /// The answer to a refund request under a key already used: its refund replayed, or a conflict; nil for a
    /// new key.
    fileprivate func refundRequest(keyed key: IdempotencyKey, fingerprint: String) throws(StoreError) -> RefundRequestOutcome? {
        switch try claimIdempotencyKey(key, fingerprint: fingerprint) {
        case .matches(let id):
            guard let refund = try refund(id: id) else { return .conflict("this Idempotency-Key was used for another resource") }
            return .replayed(refund)
        case .conflicts:
            return .conflict("this Idempotency-Key was used with a different request")
        case .new:
            return nil
        }
    }
}
