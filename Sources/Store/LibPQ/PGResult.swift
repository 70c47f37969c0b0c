import CLibPQ

/// The rows of one statement, copied out of libpq so the `PGresult` can be cleared at once.
public struct PGResult: Sendable {
    public let columns: [String]
    /// Each column's position by name, looked up once per result (the first of two columns with one name wins,
    /// as with `PQfnumber`).
    private let positions: [String: Int]
    private let cells: [String?]
    public let affectedRows: Int

    public var count: Int { columns.isEmpty ? 0 : cells.count / columns.count }
    public var isEmpty: Bool { count == 0 }

    init(consuming result: OpaquePointer) {
        defer { PQclear(result) }
        let rows = Int(PQntuples(result))
        let cols = Int(PQnfields(result))
        columns = (0..<cols).map { String(cString: PQfname(result, Int32($0))) }
        positions = Dictionary(columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var cells: [String?] = []
        cells.reserveCapacity(rows * cols)
        for r in 0..<rows {
            for c in 0..<cols {
                if PQgetisnull(result, Int32(r), Int32(c)) == 1 {
                    cells.append(nil)
                } else {
                    cells.append(String(cString: PQgetvalue(result, Int32(r), Int32(c))))
                }
            }
        }
        self.cells = cells
        affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    public subscript(row: Int) -> PGRow { PGRow(result: self, row: row) }

    public var rows: [PGRow] { (0..<count).map { self[$0] } }

    func cell(_ row: Int, _ column: Int) -> String? { cells[row * columns.count + column] }

    func position(of name: String) throws(StoreError) -> Int {
        guard let position = positions[name] else {
            throw StoreError(.missingColumn, "the result has no column named \(name)", column: name)
        }
        return position
    }
}

/// One row. The store reads its columns by name (`row["status"]`, `row.requiredInt("amount")`); a name the
/// result does not have is a `missingColumn` error. Positions remain for ad-hoc queries (tests).
public struct PGRow: Sendable {
    let result: PGResult
    let row: Int

    public subscript(name: String) -> String? {
        get throws(StoreError) { result.cell(row, try result.position(of: name)) }
    }

    public func string(_ name: String) throws(StoreError) -> String? { try self[name] }

    /// Nil when the column is null or not an integer.
    public func int(_ name: String) throws(StoreError) -> Int? { try self[name].flatMap { Int($0) } }

    public func bool(_ name: String) throws(StoreError) -> Bool { try self[name] == "t" }

    public func requiredString(_ name: String) throws(StoreError) -> String {
        guard let value = try self[name] else { throw StoreError(.unexpectedResult, "column \(name) is null", column: name) }
        return value
    }

    public func requiredInt(_ name: String) throws(StoreError) -> Int {
        guard let value = try int(name) else { throw StoreError(.unexpectedResult, "column \(name) is not an integer", column: name) }
        return value
    }

    /// The column's value as one of `T`'s cases; nil when it is null, an error when it is no case of `T`.
    public func value<T: RawRepresentable>(_ name: String, as type: T.Type) throws(StoreError) -> T? where T.RawValue == String {
        guard let text = try self[name] else { return nil }
        guard let value = T(rawValue: text) else {
            throw StoreError(.unexpectedResult, "column \(name) holds an unknown \(T.self)", column: name)
        }
        return value
    }

    public func required<T: RawRepresentable>(_ name: String, as type: T.Type) throws(StoreError) -> T where T.RawValue == String {
        guard let value = try value(name, as: type) else { throw StoreError(.unexpectedResult, "column \(name) is null", column: name) }
        return value
    }

    public func string(_ column: Int) -> String? { result.cell(row, column) }

    public func int(_ column: Int) -> Int? { string(column).flatMap { Int($0) } }

    public func bool(_ column: Int) -> Bool { string(column) == "t" }
}
