extension Migration {
    /// The W3C `traceparent` of the request that queued an operation, so the worker's spans join its trace, in
    /// whichever process runs it. The bound is `NOT VALID`: the existing rows are all null, and validating them
    /// would scan the table under its lock.
    static let v12Traces = Migration(version: 12, name: "traces", sql: """
        ALTER TABLE operations ADD COLUMN traceparent text;
        ALTER TABLE operations ADD CONSTRAINT operations_traceparent_length CHECK (length(traceparent) <= 55) NOT VALID;
        """)
}
