extension Migration {
    /// Reconciliation runs and their items (`payment-service reconcile`, and the worker's scheduled run): a run
    /// is `running` until it ends `complete` (every list walked) or `incomplete` (with the reason); each item is one
    /// disagreement found, and whether a heal brought the record into agreement.
    static let v9Reconciliation = Migration(version: 9, name: "reconciliation runs", sql: """
        CREATE TABLE reconciliation_runs (
          id           uuid PRIMARY KEY,
          since        timestamptz NOT NULL,
          trigger      text NOT NULL CHECK (trigger IN ('command', 'scheduled')),
          status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'complete', 'incomplete')),
          error        text,
          started_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
          finished_at  timestamptz
        );
        CREATE INDEX reconciliation_runs_newest ON reconciliation_runs (started_at DESC);

        CREATE TABLE reconciliation_items (
          run_id              uuid NOT NULL REFERENCES reconciliation_runs (id) ON DELETE CASCADE,
          position            integer NOT NULL,
          kind                text NOT NULL CHECK (kind IN
                                ('missing_here', 'missing_at_processor', 'amount_mismatch', 'status_mismatch', 'orphan_hold')),
          payment_id          uuid,
          processor_reference text NOT NULL,
          detail              text NOT NULL,
          healed              boolean NOT NULL,
          PRIMARY KEY (run_id, position)
        );
        """)
}
