// Interim, until `Sources/Store/Queries/ReadBacks.swift` lands from main with the same signatures: delete this file
// then (the compiler's "invalid redeclaration" says when).
extension Database {
    /// Queues a `sync` of the payment (the operation id), or nil when one already waits for it.
    public func queueSync(paymentId: String, key: String) async throws(StoreError) -> Int? {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute(
                """
                INSERT INTO operations (payment_id, kind, idempotency_key) VALUES (\(paymentId)::uuid, 'sync', \(key))
                ON CONFLICT DO NOTHING RETURNING id
                """
            ).rows.first.map { row throws(StoreError) in try row.requiredInt("id") }
        }
    }

    /// Queues a `dispute` read-back of one dispute of the payment (the operation id), or nil when one already waits.
    public func queueDisputeRead(paymentId: String, disputeReference: String, key: String) async throws(StoreError) -> Int? {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute(
                """
                INSERT INTO operations (payment_id, kind, idempotency_key, dispute_reference)
                VALUES (\(paymentId)::uuid, 'dispute', \(key), \(disputeReference))
                ON CONFLICT DO NOTHING RETURNING id
                """
            ).rows.first.map { row throws(StoreError) in try row.requiredInt("id") }
        }
    }
}
