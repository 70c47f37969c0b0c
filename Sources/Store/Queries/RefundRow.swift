import Payments

enum RefundRow {
    static let columns: SQL = """
        r.id, r.payment_id, r.amount, p.currency, r.reason, r.status, r.processor_reference,
        rfc3339(r.created_at) AS created_at, rfc3339(r.updated_at) AS updated_at, r.created_by
        """

    static func decode(_ row: PGRow) throws(StoreError) -> Refund {
        var refund = Refund(
            refundId: try row.requiredString("id"), paymentId: try row.requiredString("payment_id"), amount: try row.requiredInt("amount"),
            currency: try row.requiredString("currency"), reason: try row.string("reason").flatMap(RefundReason.init(rawValue:)),
            status: try row.required("status", as: RefundStatus.self), processorReference: try row.string("processor_reference"),
            createdAt: try row.requiredString("created_at"), updatedAt: try row.requiredString("updated_at"))
        refund.createdBy = try row.string("created_by")
        return refund
    }
}

extension Transaction {
    func refund(id: String) throws(StoreError) -> Refund? {
        let result = try execute("SELECT \(RefundRow.columns) FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE r.id = \(id)")
        return result.isEmpty ? nil : try RefundRow.decode(result[0])
    }
}

extension Database {
    public func refund(id: String) async throws(StoreError) -> Refund? {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in try tx.refund(id: id) }
    }

    /// A payment's refunds, newest first; nil when there is no such payment.
    public func refunds(paymentId: String) async throws(StoreError) -> [Refund]? {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            guard try !tx.execute("SELECT 1 FROM payments WHERE id = \(paymentId)").isEmpty else { return nil }
            return try tx.execute(
                """
                SELECT \(RefundRow.columns) FROM refunds r JOIN payments p ON p.id = r.payment_id
                WHERE r.payment_id = \(paymentId) ORDER BY r.created_at DESC, r.id
                """
            ).rows.map { row throws(StoreError) in try RefundRow.decode(row) }
        }
    }
}
