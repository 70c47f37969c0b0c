import CoreMetrics
import Payments

/// `webhook_deliveries_total{outcome, redelivery}`, `webhook_delivery_duration_seconds` and
/// `webhook_endpoints_disabled_total`: the deliverer's own, apart from the processor's call metrics.
enum WebhookDeliveryMetrics {
    static func record(_ attempt: DeliveryAttempt, redelivery: Bool, took: Duration) {
        let outcome = attempt.outcome == .accepted ? "delivered" : "refused"
        Counter(label: "webhook_deliveries_total", dimensions: [("outcome", outcome), ("redelivery", redelivery ? "true" : "false")]).increment()
        Timer(label: "webhook_delivery_duration_seconds").recordNanoseconds(took.nanoseconds)
    }

    static func disabled() {
        Counter(label: "webhook_endpoints_disabled_total").increment()
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
