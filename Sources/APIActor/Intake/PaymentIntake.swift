import Foundation
import Payments
import Store

/// The intake: commits each AuthorizePayment command, and only then tells the worker (the stream is the
/// fast path, the database is the record). Commands without an Idempotency-Key go through the group
/// commit when a batcher runs.
public struct PaymentIntake: Sendable {
    let database: Database
    let batcher: IntakeBatcher?
    let wakeups: AsyncStream<String>.Continuation

    public init(database: Database, batcher: IntakeBatcher? = nil, wakeups: AsyncStream<String>.Continuation) {
        self.database = database
        self.batcher = batcher
        self.wakeups = wakeups
    }

    func submit(_ command: AuthorizeCommand, idempotencyKey: IdempotencyKey?) async throws(StoreError) -> IntakeOutcome {
        let id = UUID().uuidString.lowercased()
        let outcome: IntakeOutcome
        if let batcher, idempotencyKey == nil {
            outcome = try await batcher.submit(IntakeCommand(command, newPaymentId: id))
        } else {
            outcome = try await database.recordRequested(command, newPaymentId: id, idempotencyKey: idempotencyKey)
        }
        if case .created(let payment) = outcome { wakeups.yield(payment.paymentId) }
        return outcome
    }
}
