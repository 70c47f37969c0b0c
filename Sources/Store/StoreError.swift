import Payments

/// A database failure, with a code callers branch on and a message safe to log (no secrets, no row data).
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The database cannot be reached or the connection broke: retry later (HTTP 503).
        case unavailable
        /// A unique constraint refused the row (SQLSTATE 23505).
        case uniqueViolation
        /// A serialization failure or deadlock (SQLSTATE 40001 / 40P01): the transaction may be retried.
        case serializationFailure
        /// The statement failed for another reason: a bug or a schema mismatch.
        case queryFailed
        /// The database answered something the store did not expect.
        case unexpectedResult
        /// A result was read by a column name its statement does not select (a bug in the store).
        case missingColumn
        /// The connection broke after a commit was sent and whether it committed could not be made sure: the
        /// effect may or may not be recorded (HTTP 503 saying so; never "nothing was changed").
        case outcomeUnknown
        /// The operation's lease was taken over (its generation moved on): this runner writes nothing more.
        case leaseLost
    }

    public var code: Code
    public var message: String
    public var sqlState: String?
    /// The constraint named by a violation, when libpq reports it.
    public var constraint: String?
    /// The column a failure concerns, when the server names one.
    public var column: String?

    public init(_ code: Code, _ message: String, sqlState: String? = nil, constraint: String? = nil, column: String? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.constraint = constraint
        self.column = column
    }

    /// A data exception (SQLSTATE class 22): a value the statement could not take.
    public var isDataException: Bool { sqlState?.hasPrefix("22") ?? false }

    /// An integrity constraint violation (class 23): a row the schema refused.
    public var isConstraintViolation: Bool { sqlState?.hasPrefix("23") ?? false }

    /// Caused by the rows a statement carried rather than by the connection, the server or concurrency (classes
    /// 08, 57, 40, 53): running the statement's members one by one tells which member it was.
    public var isCausedByData: Bool { isDataException || isConstraintViolation }

    public var description: String {
        "StoreError.\(code.rawValue)\(sqlState.map { " [\($0)]" } ?? ""): \(message)"
    }
}

extension StoreError {
    static func leaseLost(_ lease: OperationLease) -> StoreError {
        StoreError(.leaseLost, "operation \(lease.operationId): lease generation \(lease.generation) was taken over")
    }
}
