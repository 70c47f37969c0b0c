/// One versioned schema change, applied once, in order, inside a transaction.
struct Migration: Sendable {
    let version: Int
    let name: String
    let sql: String
}

extension Migration {
    static let all: [Migration] = [
        .v1InitialSchema, .v2SyncOperations, .v3LeanerWrites, .v4RetentionIndexes, .v5PendingRefunds, .v6FencedLeases, .v7CustomerAction,
        .v8ExpiryAndDisputes, .v9Reconciliation, .v10CredentialsAndAudit, .v11OperatorQueries, .v12Traces,
        .v13PushedWebhooks,
    ]
}
