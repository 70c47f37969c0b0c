import Foundation
import Payments
import Store
import Telemetry

/// The intake: commits each AuthorizePayment command through the intake actor's group commit, and only then
/// hands the new authorization to the worker in this process (`toWorker`: the stream is the fast path, the
/// queue in the database is the record; nil when no worker runs here, `ROLE=api`).
public struct PaymentIntake: Sendable {
    let database: Database
    /// The group commit; without one (route tests), each command commits alone.
    let batcher: IntakeBatcher?
    let toWorker: AsyncStream<QueuedOperation>.Continuation?

    public init(database: Database, batcher: IntakeBatcher? = nil, toWorker: AsyncStream<QueuedOperation>.Continuation? = nil) {
        self.database = database
        self.batcher = batcher
        self.toWorker = toWorker
    }

    func submit(_ command: AuthorizeCommand, idempotencyKey: IdempotencyKey?, by attribution: Attribution) async throws(StoreError) -> IntakeOutcome {
        let item = IntakeCommand(
            command, newPaymentId: UUID().uuidString.lowercased(), idempotencyKey: idempotencyKey, attribution: attribution,
            traceparent: Traces.currentTraceparent)
        let outcome = if let batcher { try await batcher.submit(item) } else { try await database.recordRequested(item) }
        if case .created(_, let authorization) = outcome { handOff(authorization) }
        return outcome
    }

    /// Tells the worker in this process about an operation just committed.
    func handOff(_ operationId: Int) {
        handOff(QueuedOperation(id: operationId))
    }

    func handOff(_ operation: QueuedOperation) {
        toWorker?.yield(operation)
    }
}
