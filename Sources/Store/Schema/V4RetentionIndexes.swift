extension Migration {
    /// Lets the retention sweep find expired rows without reading whole tables (each of its batches would
    /// otherwise scan from the start, past the dead rows of the batches before it). Refund keys are never
    /// purged, so they stay out of the index.
    static let v4RetentionIndexes = Migration(version: 4, name: "retention indexes", sql: """
        CREATE INDEX idempotency_keys_expiring ON idempotency_keys (created_at) WHERE fingerprint LIKE 'authorize %';
        CREATE INDEX webhook_events_by_age ON webhook_events (received_at);
        """)
}
