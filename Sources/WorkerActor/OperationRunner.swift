import Logging
import Payments
import Store
import StripeGateway

/// Runs one claimed operation to its next durable state. Every path ends by recording an outcome or
/// rescheduling: a lease is never simply dropped (only a database that cannot be reached lets it expire).
/// While the runner works, a heartbeat extends its lease, so every processor call, read-back and wait in the
/// rate limiter stays covered however long it takes; if a later claim took the lease over (this one's
/// generation is stale), the runner is cancelled and its fenced writes would land nothing anyway.
struct OperationRunner: Sendable {
    let database: Database
    let stripe: any StripeAPI
    let lease: Duration
    let backoff: Backoff
    var searchLag: Duration = .seconds(60)
    let logger: Logger

    func run(_ op: ClaimedOperation) async {
        var logger = logger
        logger[metadataKey: "payment_id"] = "\(op.paymentId)"
        logger[metadataKey: "operation"] = "\(op.kind.rawValue)"
        await withTaskGroup(of: Void.self) { [logger] group in
            group.addTask { await drive(op, logger: logger) }
            group.addTask { await keepLease(op.lease, logger: logger) }
            // The first to end ends both: the runner finished, or the lease was taken over.
            await group.next()
            group.cancelAll()
        }
    }

    private func drive(_ op: ClaimedOperation, logger: Logger) async {
        let recorder = OperationRecorder(database: database, backoff: backoff, logger: logger)
        do {
            switch op.kind {
            case .authorize:
                try await AuthorizationRunner(database: database, stripe: stripe, recorder: recorder, searchLag: searchLag, logger: logger).run(op)
            case .capture, .void:
                try await IntentOperationRunner(database: database, stripe: stripe, recorder: recorder, logger: logger).run(op)
            case .refund:
                try await RefundRunner(database: database, stripe: stripe, recorder: recorder, logger: logger).run(op)
            case .sync:
                try await SyncRunner(database: database, stripe: stripe, recorder: recorder, logger: logger).run(op)
            }
        } catch where error.code == .leaseLost {
            logger.warning("lease taken over by a later claim: this runner stops, its writes refused", metadata: ["error": "\(error)"])
        } catch {
            logger.warning("operation interrupted by a database error", metadata: ["error": "\(error)"])
            // Given back with a delay and the error on record, as any retry: the next attempt reads back whatever
            // the processor did meanwhile. If the database cannot take even that (it is down), the lease expires
            // and the operation is taken up again then.
            try? await database.reschedule(
                op.lease, after: backoff.delay(afterAttempt: op.attempts), error: "database error: \(error)")
        }
    }

    /// Extends the lease every third of its length; returns only when a later claim took it over. A database
    /// that cannot be reached is tried again at the next beat (the lease may expire meanwhile: fencing holds).
    private func keepLease(_ claim: OperationLease, logger: Logger) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: lease / 3) } catch { return }
            if let held = try? await database.renewLease(claim, for: lease), !held {
                logger.warning("lease taken over by a later claim: cancelling this runner")
                return
            }
        }
    }
}
