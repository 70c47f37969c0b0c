import CoreMetrics

/// Processor calls by operation and outcome, with their latency (`stripe_calls_total`,
/// `stripe_call_duration_seconds`). Ids in the path are folded into `{id}`, so the series stay few.
/// A value kept by `StripeClient`'s actor, which records every call; `snapshot` is what it counted.
struct StripeCallMetrics {
    struct Key: Hashable, Sendable {
        /// `GET /v1/payment_intents/{id}`.
        var operation: String
        /// `StripeResult.outcomeName`.
        var outcome: String
    }

    struct Series: Sendable, Equatable {
        var calls = 0
        var totalDuration: Duration = .zero
    }

    private var series: [Key: (counter: Counter, timer: Timer, counted: Series)] = [:]

    mutating func record(method: String, path: String, outcome: String, duration: Duration) {
        let key = Key(operation: "\(method) \(Self.template(path))", outcome: outcome)
        var entry = series[key] ?? {
            let dimensions = [("operation", key.operation), ("outcome", outcome)]
            return (Counter(label: "stripe_calls_total", dimensions: dimensions),
                    Timer(label: "stripe_call_duration_seconds", dimensions: dimensions), Series())
        }()
        entry.counter.increment()
        entry.timer.recordNanoseconds(duration.nanoseconds)
        entry.counted.calls += 1
        entry.counted.totalDuration += duration
        series[key] = entry
    }

    var snapshot: [Key: Series] { series.mapValues(\.counted) }

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
