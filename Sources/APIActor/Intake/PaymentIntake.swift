import Foundation
import Payments
import Store

/// The intake: commits each AuthorizePayment command, and only then tells the worker (the stream is the
/// fast path, the database is the record).
public struct PaymentIntake: Sendable {
    let database: Database
    let wakeups: AsyncStream<String>.Continuation

    public init(database: Database, wakeups: AsyncStream<String>.Continuation) {
        self.database = database
        self.wakeups = wakeups
    }

    func authorize(_ command: AuthorizeCommand, idempotencyKey: IdempotencyKey?) async throws(StoreError) -> AuthorizeOutcome {
        let outcome = try await database.authorize(
            command, newPaymentId: UUID().uuidString.lowercased(), idempotencyKey: idempotencyKey)
        if case .created(let payment) = outcome { wakeups.yield(payment.paymentId) }
        return outcome
    }

    /// Waits up to `limit` for the payment to leave REQUESTED, polling the record (which any instance's
    /// worker may update). Returns the payment as it stands when the wait ends.
    func awaitOutcome(of payment: Payment, limit: Duration) async throws(StoreError) -> Payment {
        let deadline = ContinuousClock.now + limit
        var current = payment
        var pause = Duration.milliseconds(10)
        while current.status == .requested, ContinuousClock.now < deadline {
            try? await Task.sleep(for: min(pause, deadline - ContinuousClock.now))
            pause = min(pause * 2, .milliseconds(200))
            current = try await database.payment(id: payment.paymentId) ?? current
        }
        return current
    }
}
