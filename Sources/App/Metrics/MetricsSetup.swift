import CoreMetrics
import Prometheus

/// The process's one metrics backend: swift-metrics handlers recorded into a Prometheus registry.
enum MetricsSetup {
    static let registry = PrometheusCollectorRegistry()

    /// Before anything records a metric (handlers made earlier stay no-ops).
    static func bootstrap() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
    }
}
