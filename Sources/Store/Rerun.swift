/// Whether a unit of work runs again after its connection broke; every caller of `Database.transaction` and
/// `Database.withConnection` chooses. A break before anything that commits was sent changed nothing, and the
/// unit is run again whatever the choice. After a COMMIT (or an autocommit statement) was sent, its reply may
/// have been lost after the server committed: a lost COMMIT is an unknown outcome, and the unit runs again
/// only when it recognises its own committed effect (`PGConnection.rerunIfInterrupted` waits until the first
/// run's outcome is final).
public enum Rerun<T: Sendable>: Sendable {
    /// Not after a possible commit: the caller gets `outcomeUnknown`.
    case never
    /// Runs again as it is: run twice, it finds its own effect and answers for it (a read; a compare-and-set or a
    /// fenced write that finds its work already done).
    case asIs
    /// Runs `check` first on the run again: an answer it finds is the committed first run's, returned as it; nil
    /// (nothing committed) runs the body again.
    case whenRecognised(@Sendable (Transaction) throws(StoreError) -> T?)

    var mayRunAgain: Bool {
        if case .never = self { false } else { true }
    }

    /// `body`, unless this is a run again whose `check` finds what the first run committed.
    func run(_ body: (Transaction) throws(StoreError) -> T, in tx: Transaction) throws(StoreError) -> T {
        if tx.connection.isRerun, case .whenRecognised(let check) = self, let committed = try check(tx) { return committed }
        return try body(tx)
    }
}
