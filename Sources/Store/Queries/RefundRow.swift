import Payments

enum RefundRow {
    static let columns = """
        r.id, r.payment_id, r.amount, p.currency, r.reason, r.status, r.processor_reference,
        rfc3339(r.created_at), rfc3339(r.updated_at)
        """

    static func decode(_ row: PGRow) throws(StoreError) -> Refund {
        guard let status = RefundStatus(rawValue: try row.requiredString(5)) else {
            throw StoreError(.unexpectedResult, "refund row with an unknown status")
        }
        return Refund(
            refundId: try row.requiredString(0), paymentId: try row.requiredString(1), amount: try row.requiredInt(2),
            currency: try row.requiredString(3), reason: row.string(4).flatMap(RefundReason.init(rawValue:)), status: status,
            processorReference: row.string(6), createdAt: try row.requiredString(7), updatedAt: try row.requiredString(8))
    }
}

extension Transaction {
    func refund(id: String) throws(StoreError) -> Refund? {
        let result = try execute(
            "SELECT \(RefundRow.columns) FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE r.id = $1", [id])
        return result.isEmpty ? nil : try RefundRow.decode(result[0])
    }
}

extension Database {
    public func refund(id: String) async throws(StoreError) -> Refund? {
        try await withConnection { tx throws(StoreError) in try tx.refund(id: id) }
    }

    /// A payment's refunds, newest first; nil when there is no such payment.
    public func refunds(paymentId: String) async throws(StoreError) -> [Refund]? {
        try await withConnection { tx throws(StoreError) in
            guard try !tx.execute("SELECT 1 FROM payments WHERE id = $1", [paymentId]).isEmpty else { return nil }
            return try tx.execute(
                """
                SELECT \(RefundRow.columns) FROM refunds r JOIN payments p ON p.id = r.payment_id
                WHERE r.payment_id = $1 ORDER BY r.created_at DESC, r.id
                """, [paymentId]
            ).rows.map { row throws(StoreError) in try RefundRow.decode(row) }
        }
    }
}
