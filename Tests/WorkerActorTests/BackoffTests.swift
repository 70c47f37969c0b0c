import Payments
import Testing
@testable import WorkerActor

/// `stripe.md`: exponential backoff with jitter, about 0.5 s doubling to a few seconds.
@Suite struct BackoffTests {
    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func close(_ a: Duration, _ b: Duration) -> Bool { abs(seconds(a) - seconds(b)) < 1e-9 }

    @Test func defaultsAreHalfASecondCappedAtEight() {
        let backoff = Backoff()
        #expect(backoff.base == .milliseconds(500))
        #expect(backoff.cap == .seconds(8))
    }

    @Test(arguments: [
        (1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 8.0), (6, 8.0), (7, 8.0), (17, 8.0), (18, 8.0), (1000, 8.0), (Int.max, 8.0),
        (0, 0.5), (-5, 0.5),
    ])
    func stepsDoubleUpToTheCap(attempt: Int, step: Double) {
        let backoff = Backoff()
        #expect(Self.close(backoff.delay(afterAttempt: attempt, unit: 1), .seconds(step)))
        #expect(Self.close(backoff.delay(afterAttempt: attempt, unit: 0), .seconds(step / 2)))
    }

    @Test(arguments: [0.0, 0.25, 0.5, 1.0])
    func stepsAreMonotoneNonDecreasing(unit: Double) {
        for backoff in [Backoff(), Backoff(base: .milliseconds(100), cap: .seconds(30)), Backoff(base: .seconds(1), cap: .seconds(1))] {
            var previous = Duration.zero
            for attempt in 1...64 {
                let delay = backoff.delay(afterAttempt: attempt, unit: unit)
                #expect(delay >= previous, "attempt \(attempt)")
                #expect(delay <= backoff.cap)
                previous = delay
            }
        }
    }

    @Test func neverExceedsTheCap() {
        let backoff = Backoff(base: .milliseconds(300), cap: .milliseconds(2500))
        for attempt in 1...100 {
            #expect(backoff.delay(afterAttempt: attempt, unit: 1) <= .milliseconds(2500))
        }
        #expect(Self.close(backoff.delay(afterAttempt: 100, unit: 1), .milliseconds(2500)))
        // A base above the cap is held to the cap too.
        #expect(Self.close(Backoff(base: .seconds(10), cap: .seconds(3)).delay(afterAttempt: 1, unit: 1), .seconds(3)))
    }

    @Test func jitterIsLinearBetweenHalfAndAllOfTheStep() {
        let backoff = Backoff()
        #expect(Self.close(backoff.delay(afterAttempt: 3, unit: 0.5), .milliseconds(1500)))
        #expect(Self.close(backoff.delay(afterAttempt: 3, unit: 0.25), .milliseconds(1250)))
    }

    @Test(arguments: [1, 2, 3, 4, 5, 9])
    func randomJitterStaysWithinHalfToOneStep(attempt: Int) {
        let backoff = Backoff()
        let step = backoff.delay(afterAttempt: attempt, unit: 1)
        var draws = Set<Duration>()
        for _ in 0..<200 {
            let delay = backoff.delay(afterAttempt: attempt)
            #expect(delay >= step / 2)
            #expect(delay <= step)
            draws.insert(delay)
        }
        #expect(draws.count > 1, "no jitter")
    }
}
