enum IdempotencyLookup {
    case new
    case matches(resourceId: String)
    case conflicts
}

extension Transaction {
    /// Serialises requests carrying the same key, then says whether it was seen, and with which request.
    func claimIdempotencyKey(_ key: IdempotencyKey, fingerprint: String) throws(StoreError) -> IdempotencyLookup {
        try lockIdempotencyKey(key)
        let found = try execute(
            "SELECT fingerprint, resource_id FROM idempotency_keys WHERE scope = \(key.scope) AND key = \(key.key)")
        guard let row = found.rows.first else { return .new }
        guard try row.string("fingerprint") == fingerprint, let id = try row.string("resource_id") else { return .conflicts }
        return .matches(resourceId: id)
    }

    /// Holds the key's lock until the transaction ends (taking it again in the same transaction is free).
    func lockIdempotencyKey(_ key: IdempotencyKey) throws(StoreError) {
        try execute("SELECT pg_advisory_xact_lock(hashtextextended(\(key.scope) || ' ' || \(key.key), 1))")
    }

    func rememberIdempotencyKey(_ key: IdempotencyKey, fingerprint: String, resource: String) throws(StoreError) {
        try execute(
            "INSERT INTO idempotency_keys (scope, key, fingerprint, resource_id) VALUES (\(key.scope), \(key.key), \(fingerprint), \(resource))")
    }
}
