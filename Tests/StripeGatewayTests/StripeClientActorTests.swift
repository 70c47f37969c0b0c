import Logging
import Testing
@testable import StripeGateway

/// The gateway actor's own rules, against a fake transport: the concurrency bound (FIFO, cancel-safe), the
/// rate limit on an injected clock, the metrics.
@Suite("Stripe gateway actor")
struct StripeClientActorTests {
    private func client(
        _ transport: FakeTransport, maxInFlight: Int, maxRequestsPerSecond: Int? = nil, clock: any GatewayClock = SystemGatewayClock()
    ) -> StripeClient {
        var logger = Logger(label: "gateway-actor-test")
        logger.logLevel = .critical
        return StripeClient(
            configuration: StripeConfiguration(secretKey: "sk_test_actor", apiBase: "http://fake.invalid"),
            transport: transport, logger: logger, maxRequestsPerSecond: maxRequestsPerSecond, maxInFlight: maxInFlight,
            clock: clock)
    }

    @Test("10 concurrent calls with maxInFlight 3: never more than 3 in the transport, all 10 finish")
    func concurrencyBound() async throws {
        let transport = FakeTransport(holding: true)
        let stripe = client(transport, maxInFlight: 3)
        try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<10 {
                group.addTask { try await stripe.retrievePaymentIntent(id: "pi_\(index)").value().id }
            }
            #expect(await eventually { transport.heldCount == 3 })
            #expect(await eventually { await stripe.waitingForSlot == 7 })
            #expect(await stripe.inFlight == 3)
            for released in 1...10 {
                #expect(transport.releaseOldest())
                // Saturated again before the next release: each freed slot went to exactly one waiter.
                #expect(await eventually { transport.heldCount == min(3, 10 - released) })
            }
            let ids = try await group.reduce(into: Set<String>()) { $0.insert($1) }
            #expect(ids == Set((0..<10).map { "pi_\($0)" }))
        }
        #expect(transport.mostAtOnce == 3)
        #expect(await stripe.inFlight == 0)
        #expect(await stripe.waitingForSlot == 0)
    }

    @Test("waiters are admitted in the order they came")
    func fifoAdmission() async throws {
        let transport = FakeTransport(holding: true)
        let stripe = client(transport, maxInFlight: 1)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<6 {
                group.addTask { _ = try await stripe.retrievePaymentIntent(id: "pi_\(index)").value() }
                // The next caller starts only once this one holds the slot or queues for it.
                #expect(await eventually { transport.heldCount + (await stripe.waitingForSlot) == index + 1 })
            }
            for _ in 0..<6 {
                #expect(await eventually { transport.heldCount == 1 })
                transport.releaseOldest()
            }
            try await group.waitForAll()
        }
        #expect(transport.enteredIds == (0..<6).map { "pi_\($0)" })
        #expect(transport.mostAtOnce == 1)
    }

    @Test("a cancelled waiter leaves the queue without taking a slot, and its call fails as not sent")
    func cancelledWaiter() async throws {
        let transport = FakeTransport(holding: true)
        let stripe = client(transport, maxInFlight: 1)
        let first = Task { await stripe.retrievePaymentIntent(id: "pi_first") }
        #expect(await eventually { transport.heldCount == 1 })
        let cancelled = Task { await stripe.retrievePaymentIntent(id: "pi_cancelled") }
        #expect(await eventually { await stripe.waitingForSlot == 1 })
        let third = Task { await stripe.retrievePaymentIntent(id: "pi_third") }
        #expect(await eventually { await stripe.waitingForSlot == 2 })

        cancelled.cancel()
        let outcome = await cancelled.value
        guard case .retryable(let failure) = outcome else { Issue.record("got \(outcome)"); return }
        #expect(failure.code == "cancelled")
        #expect(await stripe.waitingForSlot == 1)
        #expect(await stripe.inFlight == 1)

        transport.releaseOldest()
        #expect(await first.value.outcomeName == "success")
        #expect(await eventually { transport.heldCount == 1 })
        transport.releaseOldest()
        #expect(await third.value.outcomeName == "success")
        #expect(transport.enteredIds == ["pi_first", "pi_third"])
        #expect(await stripe.inFlight == 0)

        let metrics = await stripe.callMetrics
        #expect(metrics[.init(operation: "GET /v1/payment_intents/{id}", outcome: "success")]?.calls == 2)
        #expect(metrics[.init(operation: "GET /v1/payment_intents/{id}", outcome: "retryable")]?.calls == 1)
    }

    @Test("with 5 per second, 15 calls at once: a burst of 5, then one every 200 ms on the clock")
    func rateLimitPacesOnTheClock() async throws {
        let clock = ManualClock()
        let stamps = Stamps()
        let transport = FakeTransport(holding: false) { _ in stamps.append(clock.elapsed) }
        let stripe = client(transport, maxInFlight: 100, maxRequestsPerSecond: 5, clock: clock)
        let settled = { stamps.count + clock.sleeping == 15 }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<15 {
                group.addTask { _ = try await stripe.retrievePaymentIntent(id: "pi_\(index)").value() }
            }
            #expect(await eventually { settled() })
            #expect(stamps.count == 5)
            // The ten waiting hold their slots while they sleep for their tokens, off the actor.
            #expect(await stripe.inFlight == 10)
            for _ in 0..<60 {
                clock.advance(by: .milliseconds(50))
                #expect(await eventually { settled() })
            }
            try await group.waitForAll()
        }
        let sent = stamps.all.sorted()
        #expect(sent.count == 15)
        #expect(sent.prefix(5).allSatisfy { $0 == .zero })
        for (index, stamp) in sent.enumerated().dropFirst(5) {
            // Call k goes when its token comes, (k - 4) / 5 s in; the clock moves in 50 ms steps.
            let due = Duration.milliseconds(200 * (index - 4))
            #expect(stamp >= due && stamp <= due + .milliseconds(50), "call \(index) went at \(stamp), due \(due)")
        }
    }

    @Test("a call cancelled while it waits for its token gives its slot back")
    func cancelledWhileWaitingForAToken() async throws {
        let clock = ManualClock()
        let transport = FakeTransport(holding: false)
        let stripe = client(transport, maxInFlight: 1, maxRequestsPerSecond: 1, clock: clock)
        #expect(await stripe.retrievePaymentIntent(id: "pi_burst").outcomeName == "success")
        let waiting = Task { await stripe.retrievePaymentIntent(id: "pi_waiting") }
        #expect(await eventually { clock.sleeping == 1 })
        let next = Task { await stripe.retrievePaymentIntent(id: "pi_next") }
        #expect(await eventually { await stripe.waitingForSlot == 1 })

        waiting.cancel()
        guard case .retryable(let failure) = await waiting.value else { Issue.record("not cancelled"); return }
        #expect(failure.code == "cancelled")
        // The slot went to the next caller, who now waits for the token after the cancelled one's.
        #expect(await eventually { clock.sleeping == 1 })
        #expect(await stripe.waitingForSlot == 0)
        clock.advance(by: .seconds(1))
        #expect(clock.sleeping == 1, "its token comes 2 s in: the cancelled call's token stays spent")
        clock.advance(by: .seconds(1))
        #expect(await next.value.outcomeName == "success")
        #expect(transport.enteredIds == ["pi_burst", "pi_next"])
    }

    @Test("on the real clock, 30 calls at 20 per second take about half a second, sleeping rather than blocking")
    func rateLimitOnTheSystemClock() async {
        let stripe = client(FakeTransport(holding: false), maxInFlight: 30, maxRequestsPerSecond: 20)
        let clock = ContinuousClock()
        let start = clock.now
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<30 {
                group.addTask { _ = await stripe.retrievePaymentIntent(id: "pi_\(index)") }
            }
        }
        // 20 at once (the burst), 10 more at 20/s.
        let elapsed = clock.now - start
        #expect(elapsed >= .milliseconds(450) && elapsed < .seconds(10), "\(elapsed)")
    }
}
