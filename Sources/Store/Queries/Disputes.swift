import Payments

/// The one SELECT list disputes are read with, and its decoding.
enum DisputeRow {
    static let columns: SQL = """
        d.id, d.payment_id, d.processor_reference, d.amount, d.currency, d.reason, d.status, d.is_charge_refundable,
        rfc3339(d.evidence_due_by) AS evidence_due_by, d.funds_withdrawn, d.funds_reinstated,
        rfc3339(d.created_at) AS created_at, rfc3339(d.updated_at) AS updated_at
        """

    static func decode(_ row: PGRow) throws(StoreError) -> Dispute {
        Dispute(
            disputeId: try row.requiredString("id"), paymentId: try row.requiredString("payment_id"), amount: try row.requiredInt("amount"),
            currency: try row.requiredString("currency"), reason: try row.string("reason"),
            status: try row.required("status", as: Dispute.Status.self), isChargeRefundable: try row.bool("is_charge_refundable"),
            evidenceDueBy: try row.string("evidence_due_by"), processorReference: try row.requiredString("processor_reference"),
            fundsWithdrawn: try row.bool("funds_withdrawn"), fundsReinstated: try row.bool("funds_reinstated"),
            createdAt: try row.string("created_at"), updatedAt: try row.string("updated_at"))
    }
}

extension Transaction {
    /// A payment's disputes, oldest first.
    func disputes(ofPayment paymentId: String) throws(StoreError) -> [Dispute] {
        try execute("SELECT \(DisputeRow.columns) FROM disputes d WHERE d.payment_id = \(paymentId) ORDER BY d.created_at, d.id")
            .rows.map { row throws(StoreError) in try DisputeRow.decode(row) }
    }

    fileprivate func dispute(where condition: SQL) throws(StoreError) -> Dispute? {
        let result = try execute("SELECT \(DisputeRow.columns) FROM disputes d WHERE \(condition)")
        return result.isEmpty ? nil : try DisputeRow.decode(result[0])
    }
}

extension Database {
    /// A payment's disputes, oldest first; nil when there is no such payment.
    public func disputes(paymentId: String) async throws(StoreError) -> [Dispute]? {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            guard try !tx.execute("SELECT 1 FROM payments WHERE id = \(paymentId)").isEmpty else { return nil }
            return try tx.disputes(ofPayment: paymentId)
        }
    }

    public func dispute(id: String) async throws(StoreError) -> Dispute? {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in try tx.dispute(where: "d.id = \(id)") }
    }

    public func dispute(reference: String) async throws(StoreError) -> Dispute? {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in try tx.dispute(where: "d.processor_reference = \(reference)") }
    }

    /// Records a dispute read back and ends its `dispute` operation, in one transaction fenced by `lease`: the
    /// dispute as it now stands, the payment's `amountDisputed` summed again, and the events of the change (the
    /// outbox keeps one per dispute and type, so a rerun after a lost COMMIT reply cannot announce one twice).
    /// The payment's row lock serialises the reads of its disputes: the transition is made again against the
    /// dispute as recorded under it (`rebased(on:)`), so two reads running at once record one dispute, once.
    public func recordDispute(_ lease: OperationLease, _ read: DisputeTransition) async throws(StoreError) {
        try await transaction(rerun: .asIs) { tx throws(StoreError) in
            try tx.hold(lease)
            _ = try tx.payment(id: read.dispute.paymentId, lock: true)
            let recorded = try tx.dispute(where: "d.processor_reference = \(read.dispute.processorReference)")
            guard let transition = read.rebased(on: recorded), transition.changes(recorded) else { return try tx.endDisputeRead(lease) }
            let dispute = transition.dispute
            tx.concerns(dispute.paymentId)
            try tx.upsert(dispute)
            try tx.execute(
                """
                UPDATE payments SET amount_disputed = (
                    SELECT coalesce(sum(amount), 0) FROM disputes
                    WHERE payment_id = \(dispute.paymentId) AND status = ANY(\(Self.disputedStatuses)::text[])),
                  updated_at = clock_timestamp()
                WHERE id = \(dispute.paymentId)
                """)
            try tx.append(transition.events)
            try tx.endDisputeRead(lease)
        }
    }

    static let disputedStatuses = PGArray.literal(Dispute.Status.allCases.filter(\.countsAsDisputed).map(\.rawValue))
}

extension Transaction {
    fileprivate func endDisputeRead(_ lease: OperationLease) throws(StoreError) {
        try execute(
            """
            UPDATE operations SET status = 'done', lease_owner = NULL, lease_until = NULL, updated_at = clock_timestamp()
            WHERE id = \(lease.operationId)
            """)
    }

    fileprivate func upsert(_ d: Dispute) throws(StoreError) {
        try execute(
            """
            INSERT INTO disputes (id, payment_id, processor_reference, amount, currency, reason, status, is_charge_refundable,
                                  evidence_due_by, funds_withdrawn, funds_reinstated)
            VALUES (\(d.disputeId), \(d.paymentId), \(d.processorReference), \(d.amount)::bigint, \(d.currency), \(d.reason), \(d.status),
                    \(d.isChargeRefundable)::boolean, \(d.evidenceDueBy)::timestamptz, \(d.fundsWithdrawn)::boolean, \(d.fundsReinstated)::boolean)
            ON CONFLICT (processor_reference) DO UPDATE SET
              amount = excluded.amount, reason = excluded.reason, status = excluded.status,
              is_charge_refundable = excluded.is_charge_refundable, evidence_due_by = excluded.evidence_due_by,
              funds_withdrawn = excluded.funds_withdrawn, funds_reinstated = excluded.funds_reinstated, updated_at = clock_timestamp()
            """)
    }
}
