import Logging
import Payments
import Store
import StripeGateway

/// Runs one claimed operation to its next durable state. Every path ends by recording an outcome or
/// rescheduling: a lease is never simply dropped (only a database that cannot be reached lets it expire).
struct OperationRunner: Sendable {
    let database: Database
    let stripe: any StripeAPI
    let owner: String
    let lease: Duration
    let backoff: Backoff
    let logger: Logger

    func run(_ op: ClaimedOperation) async {
        var logger = logger
        logger[metadataKey: "payment_id"] = "\(op.paymentId)"
        logger[metadataKey: "operation"] = "\(op.kind.rawValue)"
        do {
            switch op.kind {
            case .authorize:
                try await AuthorizationRunner(database: database, stripe: stripe, owner: owner, lease: lease, backoff: backoff, logger: logger).run(op)
            case .capture, .void:
                try await IntentOperationRunner(database: database, stripe: stripe, owner: owner, backoff: backoff, logger: logger).run(op)
            case .refund:
                try await RefundRunner(database: database, stripe: stripe, owner: owner, backoff: backoff, logger: logger).run(op)
            case .sync:
                try await SyncRunner(database: database, stripe: stripe, owner: owner, backoff: backoff, logger: logger).run(op)
            }
        } catch {
            logger.warning("operation interrupted by a database error", metadata: ["error": "\(error)"])
            // Given back with a delay and the error on record, as any retry: the next attempt reads back whatever
            // the processor did meanwhile. If the database cannot take even that (it is down), the lease expires
            // and the operation is taken up again then.
            try? await database.reschedule(
                operationId: op.id, owner: owner, after: backoff.delay(afterAttempt: op.attempts),
                error: "database error: \(error)")
        }
    }
}
