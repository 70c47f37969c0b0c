import Payments
import Support
import Testing

@Suite("EndpointDelivery: the retry schedule of a held event and when its endpoint is given up")
struct EndpointDeliveryTests {
    @Test("an accepted attempt advances and clears the failures")
    func acceptedAdvances() {
        var delivery = EndpointDelivery(failures: 4, failingSince: 100)
        #expect(delivery.attempted(.accepted, at: 500, jitter: 0.3) == .advance)
        #expect(delivery.failures == 0 && delivery.failingSince == nil)
    }

    @Test("refusals back off from 5 s, doubling to an hour, each wait within [½, 1] of its step")
    func backoff() {
        let schedule = DeliverySchedule.standard
        #expect((1...12).map { schedule.delay(afterFailures: $0, unit: 1) } == [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600])
        #expect(schedule.delay(afterFailures: 1, unit: 0) == 3 && schedule.delay(afterFailures: 40, unit: 0) == 1800)
        #expect(schedule.delay(afterFailures: Int.max, unit: 2) == 3600 && schedule.delay(afterFailures: 0, unit: -1) == 3)
    }

    @Test("the first refusal starts the window; a refusal at or past its end disables, naming when it began")
    func window() {
        var delivery = EndpointDelivery(failures: 0, failingSince: nil)
        #expect(delivery.attempted(.refused, at: 1_000, jitter: 1) == .retry(at: 1_005))
        #expect(delivery.failingSince == 1_000 && delivery.failures == 1)
        #expect(delivery.attempted(.refused, at: 1_000 + 3 * 86_400 - 1, jitter: 1) == .retry(at: 1_000 + 3 * 86_400 - 1 + 10))
        #expect(delivery.attempted(.refused, at: 1_000 + 3 * 86_400, jitter: 1) == .disable(failingSince: 1_000))
    }

    /// Random seeded schedules of answers and clock steps: the endpoint is retried for at least the whole window
    /// and never past one cap beyond it, waits never exceed the cap, and nothing but a refusal past the window disables.
    @Test("seeded schedules keep the window and the cap", arguments: 0..<200)
    func seeded(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let schedule = DeliverySchedule(base: Int.random(in: 1...10, using: &random), cap: Int.random(in: 10...5_000, using: &random),
                                        window: Int.random(in: 0...400_000, using: &random))
        var delivery = EndpointDelivery(failures: 0, failingSince: nil, schedule: schedule)
        var now = Int.random(in: 0...1_000_000, using: &random)
        var firstRefusal: Int?
        for _ in 0..<2_000 {
            let refused = Double.random(in: 0...1, using: &random) < 0.9
            let action = delivery.attempted(refused ? .refused : .accepted, at: now, jitter: Double.random(in: 0...1, using: &random))
            switch action {
            case .advance:
                #expect(!refused)
                firstRefusal = nil
                now += Int.random(in: 0...100, using: &random)
            case .retry(let at):
                #expect(refused && at > now && at - now <= schedule.cap)
                firstRefusal = firstRefusal ?? now
                #expect(now - firstRefusal! < schedule.window)
                now = at
            case .disable(let since):
                #expect(refused && since == (firstRefusal ?? now) && now - since >= schedule.window)
                #expect(now - since < schedule.window + schedule.cap + 1)
                return
            }
        }
    }
}
