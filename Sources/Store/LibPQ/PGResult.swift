import CLibPQ

/// The rows of one statement, copied out of libpq so the `PGresult` can be cleared at once.
public struct PGResult: Sendable {
    public let columns: [String]
    private let cells: [String?]
    public let affectedRows: Int

    public var count: Int { columns.isEmpty ? 0 : cells.count / columns.count }
    public var isEmpty: Bool { count == 0 }

    init(consuming result: OpaquePointer) {
        defer { PQclear(result) }
        let rows = Int(PQntuples(result))
        let cols = Int(PQnfields(result))
        columns = (0..<cols).map { String(cString: PQfname(result, Int32($0))) }
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
}

/// One row; columns are read by position, in the order of the SELECT list.
public struct PGRow: Sendable {
    let result: PGResult
    let row: Int

    public func string(_ column: Int) -> String? { result.cell(row, column) }

    public func int(_ column: Int) -> Int? { string(column).flatMap { Int($0) } }

    public func bool(_ column: Int) -> Bool { string(column) == "t" }

    public func requiredString(_ column: Int) throws(StoreError) -> String {
        guard let value = string(column) else {
            throw StoreError(.unexpectedResult, "column \(result.columns[column]) is null")
        }
        return value
    }

    public func requiredInt(_ column: Int) throws(StoreError) -> Int {
        guard let value = int(column) else {
            throw StoreError(.unexpectedResult, "column \(result.columns[column]) is not an integer")
        }
        return value
    }
}
