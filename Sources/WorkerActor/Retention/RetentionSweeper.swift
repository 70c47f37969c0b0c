import Logging
import ServiceLifecycle
import Store

/// Deletes idempotency keys, webhook event ids and ended webhook deliveries past their retention, once shortly after start and then
/// every `interval`, so the two tables that only recognise repeats do not grow forever. Runs with the
/// worker; several instances sweeping at once only find less to delete.
public struct RetentionSweeper: Service {
    let database: Database
    let policy: RetentionPolicy
    let firstSweepAfter: Duration
    let interval: Duration
    let logger: Logger

    public init(
        database: Database, policy: RetentionPolicy = .standard, firstSweepAfter: Duration = .seconds(60),
        interval: Duration = .seconds(3_600), logger: Logger
    ) {
        self.database = database
        self.policy = policy
        self.firstSweepAfter = firstSweepAfter
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        var wait = firstSweepAfter
        while true {
            do {
                try await cancelWhenGracefulShutdown { [wait] in try await Task.sleep(for: wait) }
            } catch {
                return  // shutting down
            }
            wait = interval
            // A stop during a long first sweep ends it between batches.
            await cancelWhenGracefulShutdown { await sweep() }
        }
    }

    func sweep() async {
        do {
            let purged = try await database.purgeExpired(policy)
            if purged.idempotencyKeys + purged.webhookEvents + purged.webhookDeliveries > 0 {
                logger.info("expired records purged", metadata: [
                    "idempotency_keys": "\(purged.idempotencyKeys)", "webhook_events": "\(purged.webhookEvents)",
                    "webhook_deliveries": "\(purged.webhookDeliveries)",
                ])
            }
        } catch {
            // The next sweep tries again; nothing depends on these rows being gone.
            logger.warning("retention sweep failed", metadata: ["error": "\(error)"])
        }
    }
}
