import Logging

extension Database {
    /// Applies the migrations not yet recorded, in one transaction under an advisory lock, so that
    /// instances starting together do not race. Returns the versions it applied.
    @discardableResult
    public func migrate() async throws(StoreError) -> [Int] {
        let applied = try await transaction(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute("SELECT pg_advisory_xact_lock(7061697)")
            // A migration that must wait for a table's lock behind live traffic gives up (and the start fails, to
            // be retried) rather than queue every query of the running instances behind its own wait.
            try tx.execute("SET LOCAL lock_timeout = '10s'")
            try tx.execute("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                  version integer PRIMARY KEY,
                  name text NOT NULL,
                  applied_at timestamptz NOT NULL DEFAULT now())
                """)
            var done: Set<Int> = []
            for row in try tx.execute("SELECT version FROM schema_migrations").rows {
                if let version = try row.int("version") { done.insert(version) }
            }
            var applied: [Int] = []
            for migration in Migration.all where !done.contains(migration.version) {
                try tx.executeScript(migration.sql)
                try tx.execute("INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))")
                applied.append(migration.version)
            }
            return applied
        }
        if !applied.isEmpty { logger.info("applied migrations", metadata: ["versions": "\(applied)"]) }
        return applied
    }

    /// Ready means reachable and migrated to the version this build knows.
    public func isReady() async -> Bool {
        let latest = Migration.all.map(\.version).max() ?? 0
        let current = try? await withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute("SELECT coalesce(max(version), 0) AS version FROM schema_migrations")[0].int("version")
        }
        return (current ?? nil).map { $0 >= latest } ?? false
    }
}
