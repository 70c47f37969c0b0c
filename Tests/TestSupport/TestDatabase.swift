import Foundation
import Logging
import Store

/// A fresh, migrated database per test, on the PostgreSQL that `make test` starts (`DATABASE_URL`).
/// A missing or unreachable server fails the test: it never skips.
public struct TestDatabase: Sendable {
    public let url: String
    public let database: Database
    public let name: String

    /// The server to create test databases on; `make test` exports it.
    public static func serverURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw HarnessError(message: "DATABASE_URL is not set: run the tests with `make test`, which starts PostgreSQL")
        }
        return url
    }

    public static func create(poolSize: Int = 4) async throws -> TestDatabase {
        let server = try serverURL()
        let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let admin = Database(url: server, poolSize: 1, logger: Logger(label: "test-admin"))
        try await admin.withConnection(rerun: .asIs) { tx throws(StoreError) in try tx.execute("CREATE DATABASE \(unescaped: name)") }
        await admin.shutdown()
        let url = Self.replacingDatabase(in: server, with: name)
        let database = Database(url: url, poolSize: poolSize, logger: Logger(label: "test-db"))
        try await database.migrate()
        return TestDatabase(url: url, database: database, name: name)
    }

    /// Runs one SQL query on this database and returns the first column of each row (for assertions).
    public func column(_ sql: SQL) async throws -> [String?] {
        try await database.withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute(sql).rows.map { $0.string(0) }
        }
    }

    public func scalar(_ sql: SQL) async throws -> String? {
        try await column(sql).first ?? nil
    }

    static func replacingDatabase(in url: String, with name: String) -> String {
        let (base, query) = url.split(separator: "?", maxSplits: 1).map(String.init).splitFirst()
        guard let slash = base.range(of: "/", options: .backwards), base[..<slash.lowerBound].hasSuffix("//") == false else {
            return base + "/" + name + (query.map { "?" + $0 } ?? "")
        }
        return String(base[..<slash.lowerBound]) + "/" + name + (query.map { "?" + $0 } ?? "")
    }
}

extension Array where Element == String {
    fileprivate func splitFirst() -> (String, String?) { (self[0], count > 1 ? self[1] : nil) }
}
