enum IdempotencyLookup {
    case new
    case matches(resourceId: String)
    case conflicts
}

extension Transaction {
    /// Serialises requests carrying the same key, then says whether it was seen, and with which request.
    func claimIdempotencyKey(_ key: IdempotencyKey, fingerprint: String) throws(StoreError) -> IdempotencyLookup {
        try lockIdempotencyKeys([key])
        return try lookUpIdempotencyKey(key, fingerprint: fingerprint)
    }

    /// Whether the key was seen, and with which request; its lock must be held already.
    func lookUpIdempotencyKey(_ key: IdempotencyKey, fingerprint: String) throws(StoreError) -> IdempotencyLookup {
        let found = try execute(
            "SELECT fingerprint, resource_id FROM idempotency_keys WHERE scope = \(key.scope) AND key = \(key.key)")
        guard let row = found.rows.first else { return .new }
        guard try row.string("fingerprint") == fingerprint, let id = try row.string("resource_id") else { return .conflicts }
        return .matches(resourceId: id)
    }

    /// Holds the keys' locks until the transaction ends, taken in one statement in the order given (`unnest`
    /// yields its rows in array order).
    func lockIdempotencyKeys(_ keys: [IdempotencyKey]) throws(StoreError) {
        guard !keys.isEmpty else { return }
        try execute("""
            SELECT pg_advisory_xact_lock(hashtextextended(scope || ' ' || key, 1))
            FROM unnest(\(array: keys.map(\.scope))::text[], \(array: keys.map(\.key))::text[]) AS k(scope, key)
            """)
    }

    func rememberIdempotencyKey(_ key: IdempotencyKey, fingerprint: String, resource: String) throws(StoreError) {
        try execute(
            "INSERT INTO idempotency_keys (scope, key, fingerprint, resource_id) VALUES (\(key.scope), \(key.key), \(fingerprint), \(resource))")
    }
}
