import Logging
import Payments
import ServiceLifecycle
import Store

/// Runs with the worker: every `interval`, warns of holds nearing their deadline and, with the `void` policy,
/// queues their voids (`Database.warnExpiringHolds`, `voidExpiringHolds`). Several instances at once skip each
/// other's rows; each warning is written once. A queued void is found by the worker's next sweep.
public struct HoldExpiryWatch: Service {
    let database: Database
    let expiry: HoldExpiry
    let interval: Duration
    let logger: Logger

    public init(database: Database, expiry: HoldExpiry, interval: Duration = .seconds(5), logger: Logger) {
        self.database = database
        self.expiry = expiry
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while true {
            do {
                try await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
            } catch {
                return  // shutting down
            }
            await check()
        }
    }

    func check() async {
        do {
            let warned = try await database.warnExpiringHolds(within: expiry.warning)
            if warned > 0 { logger.notice("holds nearing their deadline", metadata: ["warned": "\(warned)"]) }
            guard expiry.policy == .void else { return }
            let voids = try await database.voidExpiringHolds(lead: expiry.voidLead)
            if !voids.isEmpty { logger.notice("holds voided before their deadline", metadata: ["voids": "\(voids.count)"]) }
        } catch {
            logger.warning("hold expiry check failed", metadata: ["error": "\(error)"])
        }
    }
}
