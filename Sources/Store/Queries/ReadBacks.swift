import Payments

/// Asking the worker to read the processor back: a `sync` of a payment's intent and refunds, or a `dispute` read of
/// one dispute. Each waits at most once (a unique index over the unclaimed ones): asking again while one waits adds
/// nothing, and an ask after its claim queues another (the running one may have read already).
extension Transaction {
    func queueSync(paymentId: String, key: String) throws(StoreError) -> Int? {
        try execute(
            """
            INSERT INTO operations (payment_id, kind, idempotency_key, traceparent) VALUES (\(paymentId), 'sync', \(key), \(traceparent))
            ON CONFLICT DO NOTHING RETURNING id
            """
        ).rows.first?.requiredInt("id")
    }

    func queueDisputeRead(paymentId: String, disputeReference: String, key: String) throws(StoreError) -> Int? {
        try execute(
            """
            INSERT INTO operations (payment_id, kind, idempotency_key, dispute_reference, traceparent)
            VALUES (\(paymentId), 'dispute', \(key), \(disputeReference), \(traceparent))
            ON CONFLICT DO NOTHING RETURNING id
            """
        ).rows.first?.requiredInt("id")
    }
}

extension Database {
    /// The sync's id, or nil when one already waits for the payment. `key`: unique per ask (the webhook's event id,
    /// a reconciliation run's). `by`: who asked, with the audit row's action, when someone did (an operator, a
    /// reconciliation heal); the row is written with the operation, and only when one was queued.
    public func queueSync(paymentId: String, key: String, by asker: (Attribution, AuditAction)? = nil) async throws(StoreError) -> Int? {
        try await readBack(paymentId: paymentId, by: asker) { tx throws(StoreError) in try tx.queueSync(paymentId: paymentId, key: key) }
    }

    /// The read's id, or nil when one already waits for the dispute.
    public func queueDisputeRead(
        paymentId: String, disputeReference: String, key: String, by asker: (Attribution, AuditAction)? = nil
    ) async throws(StoreError) -> Int? {
        try await readBack(paymentId: paymentId, by: asker) { tx throws(StoreError) in
            try tx.queueDisputeRead(paymentId: paymentId, disputeReference: disputeReference, key: key)
        }
    }

    private func readBack(
        paymentId: String, by asker: (Attribution, AuditAction)?, _ queue: @escaping @Sendable (Transaction) throws(StoreError) -> Int?
    ) async throws(StoreError) -> Int? {
        guard let (attribution, action) = asker else {
            return try await withConnection(rerun: .asIs) { tx throws(StoreError) in try queue(tx) }
        }
        return try await transaction(rerun: .asIs) { tx throws(StoreError) in
            guard let id = try queue(tx) else { return nil }
            try tx.attribute(readBack: id, of: paymentId, to: attribution, as: action)
            return id
        }
    }
}

extension Transaction {
    /// The read-back `id` was asked for by `attribution`: its actor, and the audit row (a read moves no status).
    func attribute(readBack id: Int, of paymentId: String, to attribution: Attribution, as action: AuditAction) throws(StoreError) {
        try execute("UPDATE operations SET actor = \(attribution.actor) WHERE id = \(id)")
        let status = try execute("SELECT status FROM payments WHERE id = \(paymentId)").rows.first?.string("status")
        try appendAudit(AuditEntry(attribution, action, subject: paymentId, statusBefore: status, statusAfter: status))
    }

    /// The read-back of `kind` that waits unclaimed for the payment (at most one does).
    func waitingReadBack(_ kind: OperationKind, of paymentId: String) throws(StoreError) -> Int? {
        try execute(
            """
            SELECT id FROM operations
            WHERE payment_id = \(paymentId) AND kind = \(kind) AND status = 'queued' ORDER BY id DESC LIMIT 1
            """
        ).rows.first?.int("id")
    }
}
