extension Migration {
    /// `GET /payments`' filtered pages walk payments in creation order, and `GET /operations` the unfinished
    /// operations by id.
    static let v11OperatorQueries = Migration(version: 11, name: "operator queries", sql: """
        CREATE INDEX payments_by_creation ON payments (created_at, id);
        CREATE INDEX operations_unfinished ON operations (status, id) WHERE status IN ('queued', 'failed', 'parked');
        """)
}
