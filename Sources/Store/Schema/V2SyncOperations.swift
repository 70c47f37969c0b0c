extension Migration {
    /// `sync` operations: a webhook said the processor moved on; the worker reads the intent and its refunds
    /// back by id and records what they say. At most one waits per payment.
    static let v2SyncOperations = Migration(version: 2, name: "sync operations", sql: """
        ALTER TABLE operations DROP CONSTRAINT operations_kind_check;
        ALTER TABLE operations ADD CONSTRAINT operations_kind_check
          CHECK (kind IN ('authorize', 'capture', 'void', 'refund', 'sync'));
        CREATE UNIQUE INDEX operations_one_queued_sync ON operations (payment_id)
          WHERE kind = 'sync' AND status = 'queued';
        """)
}
