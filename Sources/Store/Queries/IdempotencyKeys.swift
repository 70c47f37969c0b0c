enum IdempotencyLookup {
    case new
    case matches(resourceId: String)
    case conflicts
}

extension Transaction {
    /// Serialises requests carrying the same key, then says whether it was seen, and with which request.
    func claimIdempotencyKey(_ key: IdempotencyKey, fingerprint: String) throws(StoreError) -> IdempotencyLookup {
        try execute("SELECT pg_advisory_xact_lock(hashtextextended($1 || ' ' || $2, 1))", [key.scope, key.key])
        let found = try execute(
            "SELECT fingerprint, resource_id FROM idempotency_keys WHERE scope = $1 AND key = $2", [key.scope, key.key])
        guard !found.isEmpty else { return .new }
        guard found[0].string(0) == fingerprint, let id = found[0].string(1) else { return .conflicts }
        return .matches(resourceId: id)
    }

    func rememberIdempotencyKey(_ key: IdempotencyKey, fingerprint: String, resource: String) throws(StoreError) {
        try execute(
            "INSERT INTO idempotency_keys (scope, key, fingerprint, resource_id) VALUES ($1, $2, $3, $4)",
            [key.scope, key.key, fingerprint, resource])
    }
}
