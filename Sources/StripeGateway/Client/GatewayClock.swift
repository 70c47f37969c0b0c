/// The time the gateway's rate limit reads and waits on: `SystemGatewayClock` in service; unit tests drive a
/// manual one, so the pacing is asserted on the clock's own instants rather than on wall time.
protocol GatewayClock: Sendable {
    var now: ContinuousClock.Instant { get }
    /// Returns at `deadline` (at once when it has passed); throws `CancellationError` when the waiting task is
    /// cancelled first.
    func sleep(until deadline: ContinuousClock.Instant) async throws
}

struct SystemGatewayClock: GatewayClock {
    var now: ContinuousClock.Instant { .now }

    func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await Task.sleep(until: deadline, clock: .continuous)
    }
}
