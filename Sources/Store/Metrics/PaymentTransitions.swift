import CoreMetrics
import Payments

/// `payment_transitions_total{to=…}`: counted where a status change is recorded (after its commit).
public enum PaymentTransitions {
    private static let counters: [PaymentStatus: Counter] = Dictionary(uniqueKeysWithValues: PaymentStatus.allCases.map {
        ($0, Counter(label: "payment_transitions_total", dimensions: [("to", $0.rawValue)]))
    })

    public static func record(_ status: PaymentStatus) {
        counters[status]?.increment()
    }
}
