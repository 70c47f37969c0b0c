/// A token bucket as a plain value: `rate` tokens a second, at most `burst` saved up. Taking a token never
/// fails: a caller that finds the bucket empty reserves the next token to come and is told how long to
/// wait for it, so waiting callers are served in order at exactly `rate`. Time is passed in: no I/O, no
/// clock, unit-tested as is.
public struct TokenBucket: Sendable, Equatable {
    public let rate: Double
    public let burst: Double
    /// Tokens in hand after the last reservation; negative when callers are waiting for tokens to come.
    private(set) var tokens: Double
    private var last: ContinuousClock.Instant?

    /// `rate` requests per second (> 0); `burst` (≥ 1) requests may go at once after a quiet spell.
    public init(rate: Double, burst: Double? = nil) {
        precondition(rate > 0, "a rate limit must be positive")
        self.rate = rate
        self.burst = max(1, burst ?? 1)
        tokens = self.burst
    }

    /// Takes one token at `now`; returns how long to wait before using it (zero when one was in hand).
    public mutating func reserve(at now: ContinuousClock.Instant) -> Duration {
        if let last, now > last {
            tokens = min(burst, tokens + (now - last).seconds * rate)
        }
        if last.map({ now > $0 }) ?? true { last = now }
        tokens -= 1
        return tokens >= 0 ? .zero : .seconds(-tokens / rate)
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
