import Payments

extension Transaction {
    /// Appends `entry` in this transaction, so the row and the write it records commit together or not at all.
    public func appendAudit(_ entry: AuditEntry) throws(StoreError) {
        let a = entry.attribution
        try execute(
            prepared: "audit_append",
            """
            INSERT INTO audit_log (actor, action, subject, payment_id, reason, status_before, status_after, request_id)
            VALUES (\(a.actor), \(entry.action), \(entry.subject), \(entry.paymentId), \(a.reason), \(entry.statusBefore),
                    \(entry.statusAfter), \(a.requestId))
            """)
    }
}

extension Database {
    /// The audit rows about `subject` (a payment's include its refunds'), oldest first, after the cursor `after`.
    public func auditLog(subject: String, after: Int?, limit: Int) async throws(StoreError) -> [AuditRecord] {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute(
                """
                SELECT id, rfc3339(at) AS at, actor, action, subject, payment_id, reason, status_before, status_after, request_id
                FROM audit_log WHERE (subject = \(subject) OR payment_id = \(subject)) AND id > \(after ?? 0)::bigint
                ORDER BY id LIMIT \(limit)::int
                """
            ).rows.map { row throws(StoreError) in try AuditRow.decode(row) }
        }
    }
}

enum AuditRow {
    static func decode(_ row: PGRow) throws(StoreError) -> AuditRecord {
        let attribution = Attribution(actor: try row.requiredString("actor"), reason: try row.string("reason"), requestId: try row.string("request_id"))
        let entry = AuditEntry(
            attribution, try row.required("action", as: AuditAction.self), subject: try row.requiredString("subject"),
            paymentId: try row.requiredString("payment_id"), statusBefore: try row.string("status_before"),
            statusAfter: try row.string("status_after"))
        return AuditRecord(id: try row.requiredInt("id"), at: try row.requiredString("at"), entry: entry)
    }
}
