import CoreMetrics
import Synchronization

/// Processor calls by operation and outcome, with their latency (`stripe_calls_total`,
/// `stripe_call_duration_seconds`). Ids in the path are folded into `{id}`, so the series stay few.
enum StripeCallMetrics {
    private static let cache = Mutex<[String: (Counter, Timer)]>([:])

    static func record(method: String, path: String, outcome: String, duration: Duration) {
        let operation = "\(method) \(template(path))"
        let key = operation + "|" + outcome
        let (counter, timer) = cache.withLock { cache in
            if let found = cache[key] { return found }
            let dimensions = [("operation", operation), ("outcome", outcome)]
            let made = (Counter(label: "stripe_calls_total", dimensions: dimensions),
                        Timer(label: "stripe_call_duration_seconds", dimensions: dimensions))
            cache[key] = made
            return made
        }
        counter.increment()
        timer.recordNanoseconds(duration.nanoseconds)
    }

    /// `/v1/payment_intents/pi_123/confirm?x=y` → `/v1/payment_intents/{id}/confirm`.
    static func template(_ path: String) -> String {
        let plain = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        var segments = plain.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if segments.count > 3, segments[3] != "search" { segments[3] = "{id}" }
        return segments.joined(separator: "/")
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
