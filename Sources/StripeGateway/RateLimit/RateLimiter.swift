/// The client-side rate limit towards the processor (`STRIPE_MAX_RPS`): every call takes a token first and,
/// when the bucket is empty, waits for its turn with `Task.sleep` (a suspended task, never a blocked
/// thread). A 429 that comes anyway is retried by the worker with backoff.
public actor RateLimiter {
    private var bucket: TokenBucket
    private let clock = ContinuousClock()

    /// `requestsPerSecond` > 0. The burst is one second's worth of requests, so a quiet limiter lets a
    /// short spike through at once and then paces at the rate.
    public init(requestsPerSecond: Int) {
        bucket = TokenBucket(rate: Double(requestsPerSecond), burst: Double(requestsPerSecond))
    }

    public var rate: Double { bucket.rate }

    /// Waits until this caller may send. A cancelled wait returns early (the call then fails on its own).
    public func acquire() async {
        let wait = bucket.reserve(at: clock.now)
        if wait > .zero {
            try? await Task.sleep(for: wait)
        }
    }
}
