import CoreMetrics
import Payments
import Prometheus
import Store
import StripeGateway

/// Renders `GET /metrics`. The operation queue and the connection pool are sampled at each scrape, so the
/// gauges are as fresh as the scrape and cost nothing between scrapes.
struct MetricsExporter: Sendable {
    let database: Database
    let registry: PrometheusCollectorRegistry
    let credentials: CredentialStatus

    private let queued = Gauge(label: "payment_operations_queued")
    private let oldest = Gauge(label: "payment_operations_oldest_age_seconds")
    private let pendingRefunds = Gauge(label: "refunds_pending_at_processor")
    private let parked = Gauge(label: "payment_operations_parked")
    private let requiringAction = Gauge(label: "payments_requiring_action")
    /// 1 while the processor refuses the secret key (401/403).
    private let credentialsRefused = Gauge(label: "stripe_credentials_refused")
    /// The unresolved items of the latest reconciliation run, by kind (all instances: read from the database).
    private let discrepancies = Dictionary(uniqueKeysWithValues: DiscrepancyKind.allCases.map {
        ($0, Gauge(label: "reconciliation_discrepancies", dimensions: [("kind", $0.rawValue)]))
    })
    private let poolSize = Gauge(label: "db_pool_connections")
    private let poolInUse = Gauge(label: "db_pool_connections_in_use")

    init(database: Database, credentials: CredentialStatus, registry: PrometheusCollectorRegistry = MetricsSetup.registry) {
        self.database = database
        self.credentials = credentials
        self.registry = registry
    }

    func render() async -> [UInt8] {
        if let depth = try? await database.queueDepth() {
            queued.record(depth.count)
            oldest.record(depth.oldestSeconds)
            pendingRefunds.record(depth.pendingRefunds)
            parked.record(depth.parked)
            requiringAction.record(depth.requiringAction)
        }
        if let counts = try? await database.reconciliationDiscrepancies() {
            for (kind, count) in counts { discrepancies[kind]?.record(count) }
        }
        credentialsRefused.record(credentials.isRefused ? 1 : 0)
        poolSize.record(await database.pool.size)
        poolInUse.record(await database.pool.inUse)
        return registry.emitToBuffer()
    }
}
