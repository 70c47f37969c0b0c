import Payments

/// What reconciliation compares the processor's objects with.
public struct RecordQuery: Sendable, Equatable {
    /// Payments named by `metadata.payment_id` (ids that are no UUID are left out).
    public var paymentIds: [String]
    /// Intents (`pi_…`) and refunds (`re_…`) as the processor names them.
    public var references: [String]
    /// Unix seconds: also every payment and refund recorded with a reference since then (nil: none).
    public var since: Int?

    public init(paymentIds: [String], references: [String], since: Int?) {
        self.paymentIds = paymentIds.filter { UUIDText.isValid($0) }.map { $0.lowercased() }
        self.references = references
        self.since = since
    }
}

extension Database {
    /// The payments the query names, each with its refunds, recorded disputes and unfinished operations.
    public func reconciliationRecord(_ query: RecordQuery) async throws(StoreError) -> ReconciliationRecord {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            let payments = try tx.execute(RecordSQL.payments(query))
            var inWindow = Set<String>()
            var contexts: [String: RecordedPayment] = [:]
            var order: [String] = []
            for row in payments.rows {
                let payment = try PaymentRow.decode(row)
                if try row.bool("in_window"), let reference = payment.processorReference { inWindow.insert(reference) }
                contexts[payment.paymentId] = RecordedPayment(payment: payment)
                order.append(payment.paymentId)
            }
            try tx.addRefunds(to: &contexts, since: query.since, inWindow: &inWindow)
            try tx.addOpenOperations(to: &contexts)
            try tx.addDisputes(to: &contexts)
            return ReconciliationRecord(contexts: order.compactMap { contexts[$0] }, recordedInWindow: inWindow)
        }
    }
}

extension Transaction {
    fileprivate func addRefunds(to contexts: inout [String: RecordedPayment], since: Int?, inWindow: inout Set<String>) throws(StoreError) {
        let rows = try execute(
            """
            SELECT \(RefundRow.columns), coalesce(r.created_at >= to_timestamp(\(since)::float8), false) AS in_window
            FROM refunds r JOIN payments p ON p.id = r.payment_id
            WHERE r.payment_id = ANY(\(array: Array(contexts.keys))::uuid[]) ORDER BY r.created_at, r.id
            """).rows
        for row in rows {
            let refund = try RefundRow.decode(row)
            if try row.bool("in_window"), let reference = refund.processorReference { inWindow.insert(reference) }
            contexts[refund.paymentId]?.refunds.append(refund)
        }
    }

    fileprivate func addOpenOperations(to contexts: inout [String: RecordedPayment]) throws(StoreError) {
        let rows = try execute(
            """
            SELECT payment_id, kind, status FROM operations
            WHERE payment_id = ANY(\(array: Array(contexts.keys))::uuid[]) AND status IN ('queued', 'parked')
            """).rows
        for row in rows {
            let open = OpenOperation(kind: try row.required("kind", as: OperationKind.self), status: try row.required("status", as: OperationStatus.self))
            contexts[try row.requiredString("payment_id")]?.openOperations.append(open)
        }
    }

    fileprivate func addDisputes(to contexts: inout [String: RecordedPayment]) throws(StoreError) {
        let rows = try execute(
            """
            SELECT payment_id, processor_reference, amount, currency, status FROM disputes
            WHERE payment_id = ANY(\(array: Array(contexts.keys))::uuid[])
            """).rows
        for row in rows {
            let dispute = RecordedDispute(
                processorReference: try row.requiredString("processor_reference"), paymentId: try row.requiredString("payment_id"),
                amount: try row.requiredInt("amount"), currency: try row.requiredString("currency"), status: try row.requiredString("status"))
            contexts[dispute.paymentId]?.disputes.append(dispute)
        }
    }
}

/// The payments a reconciliation record holds. Each branch of the union uses its own index, but those of the
/// window (`created_at`, not indexed: the intake's inserts stay lean) read the tables once per run; a re-check
/// passes no `since`, and the one-time filter skips them.
enum RecordSQL {
    static func payments(_ query: RecordQuery) -> SQL {
        let since = query.since
        return """
            SELECT \(PaymentRow.columns), coalesce(p.created_at >= to_timestamp(\(since)::float8), false) AS in_window
            FROM payments p WHERE p.id IN (
              SELECT unnest(\(array: query.paymentIds)::uuid[])
              UNION SELECT id FROM payments WHERE processor_reference = ANY(\(array: query.references)::text[])
              UNION SELECT payment_id FROM refunds WHERE processor_reference = ANY(\(array: query.references)::text[])
              UNION SELECT id FROM payments
                WHERE \(since)::float8 IS NOT NULL AND processor_reference IS NOT NULL AND created_at >= to_timestamp(\(since)::float8)
              UNION SELECT payment_id FROM refunds
                WHERE \(since)::float8 IS NOT NULL AND processor_reference IS NOT NULL AND created_at >= to_timestamp(\(since)::float8))
            ORDER BY p.created_at, p.id
            """
    }
}
