import Testing
@testable import StripeGateway

/// The client-side rate limit's arithmetic, with time passed in: no sleeping, no I/O.
@Suite("Token bucket")
struct TokenBucketTests {
    let t0 = ContinuousClock.now

    @Test("a full bucket lets a burst through at once, then paces callers one rate step apart, in order")
    func burstThenPace() {
        var bucket = TokenBucket(rate: 10, burst: 3)
        #expect((0..<3).map { _ in bucket.reserve(at: t0) } == [.zero, .zero, .zero])
        // The next callers at the same instant wait 0.1 s, 0.2 s, 0.3 s: one token every 1/rate.
        let waits = (0..<3).map { _ in bucket.reserve(at: t0) }
        #expect(waits.map { Int(($0 / .milliseconds(1)).rounded()) } == [100, 200, 300])
    }

    @Test("tokens come back with time, never more than the burst")
    func refill() {
        var bucket = TokenBucket(rate: 4, burst: 2)
        _ = bucket.reserve(at: t0)
        _ = bucket.reserve(at: t0)
        #expect(bucket.reserve(at: t0 + .milliseconds(250)) == .zero)  // one token back after 1/4 s
        #expect(bucket.reserve(at: t0 + .milliseconds(250)) > .zero)
        // A long quiet spell refills to the burst only.
        var quiet = TokenBucket(rate: 4, burst: 2)
        let later = t0 + .seconds(60)
        #expect((0..<2).map { _ in quiet.reserve(at: later) } == [.zero, .zero])
        #expect(quiet.reserve(at: later) == .milliseconds(250))
    }

    @Test("over any window the bucket admits at most burst + rate × window")
    func neverFasterThanTheRate() {
        var bucket = TokenBucket(rate: 25, burst: 25)
        // 1,000 callers arriving every millisecond: each is admitted at arrival + its wait.
        let admitted = (0..<1000).map { i -> Duration in
            let arrival = Duration.milliseconds(i)
            return arrival + bucket.reserve(at: t0 + arrival)
        }
        #expect(admitted == admitted.sorted(), "callers are served in arrival order")
        for start in stride(from: 0, to: 30, by: 1) {
            let from = Duration.seconds(start)
            let inWindow = admitted.filter { $0 >= from && $0 < from + .seconds(1) }.count
            #expect(inWindow <= 25 + 25 + 1)
        }
        // 1,000 requests at 25/s after a burst of 25 take about 39 s.
        #expect(admitted.last! >= .seconds(38.9) && admitted.last! <= .seconds(39.1))
    }

    @Test("a clock read out of order is treated as no time passing")
    func monotonic() {
        var bucket = TokenBucket(rate: 1, burst: 1)
        #expect(bucket.reserve(at: t0 + .seconds(5)) == .zero)
        #expect(bucket.reserve(at: t0) == .seconds(1))
    }
}
