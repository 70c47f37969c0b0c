import Store

/// Why a reconciliation run could not complete (exit status 2): a code to branch on, a message safe to print.
public struct ReconciliationError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// Another run holds the advisory lock (on this instance or another).
        case lockHeld = "lock_held"
        /// The processor could not be read (unreachable, refusing, or a list too long to walk).
        case processor
        /// The database could not be read or written.
        case database
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public static let lockHeld = ReconciliationError(.lockHeld, "another reconciliation run holds the lock; try again once it ends")

    public var description: String { "\(code.rawValue): \(message)" }
}

/// Runs a store call, turning its failure into the run's.
func stored<T>(_ body: () async throws(StoreError) -> T) async throws(ReconciliationError) -> T {
    do {
        return try await body()
    } catch {
        throw ReconciliationError(.database, error.description)
    }
}
