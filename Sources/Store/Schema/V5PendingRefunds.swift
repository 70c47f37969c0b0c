extension Migration {
    /// `/metrics` counts the refunds the processor holds pending at every scrape: an index over just those
    /// rows keeps that count from reading the whole refunds table.
    static let v5PendingRefunds = Migration(version: 5, name: "pending refunds index", sql: """
        CREATE INDEX refunds_pending_at_processor ON refunds (payment_id)
          WHERE status = 'REQUESTED' AND processor_reference IS NOT NULL;
        """)
}
