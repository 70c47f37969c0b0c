/// Exponential backoff with jitter for retries that are safe (same idempotency key): about 0.5 s
/// doubling, capped, each delay drawn from [½, 1] of its step so retries of many payments spread out.
public struct Backoff: Sendable {
    public var base: Duration
    public var cap: Duration

    public init(base: Duration = .milliseconds(500), cap: Duration = .seconds(8)) {
        self.base = base
        self.cap = cap
    }

    /// The delay before attempt `attempt + 1`, after `attempt` (≥ 1) attempts; `unit` in [0, 1] is the jitter draw.
    public func delay(afterAttempt attempt: Int, unit: Double = Double.random(in: 0...1)) -> Duration {
        let exponent = min(max(attempt - 1, 0), 16)
        let step = min(base * (1 << exponent), cap)
        return step * (0.5 + 0.5 * unit)
    }
}
