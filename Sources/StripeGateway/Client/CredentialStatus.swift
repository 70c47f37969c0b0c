import Synchronization

/// Whether the processor accepts the secret key. A 401 or 403 is a configuration fault (a botched key
/// rotation, a restricted key), never a customer's decline: while it lasts the worker sends nothing but one
/// probe per backoff period (1 s, doubling, at most 60 s) and every operation stays queued. Any other answer
/// from the processor ends it.
public final class CredentialStatus: Sendable {
    private struct State {
        var refused = false
        var backoff: Duration = .zero
        var nextProbe = ContinuousClock.now
    }

    public static let maxBackoff: Duration = .seconds(60)
    private let state = Mutex(State())

    public init() {}

    public var isRefused: Bool { state.withLock { $0.refused } }

    /// Notes what one answer said about the key: `status` is the HTTP status (nil: no answer came).
    public func note(status: Int?, at now: ContinuousClock.Instant = .now) {
        guard let status else { return }
        state.withLock { state in
            guard status == 401 || status == 403 else {
                state = State()
                return
            }
            // Calls already in flight when the key was first refused answer together: one doubling per period.
            guard !state.refused || now >= state.nextProbe else { return }
            state.backoff = state.refused ? min(state.backoff * 2, Self.maxBackoff) : .seconds(1)
            state.refused = true
            state.nextProbe = now + state.backoff
        }
    }

    /// How many operations the worker may claim now, out of `free`: all while the key is accepted; while it
    /// is refused, one (the probe) once per backoff period, else none.
    public func claimable(_ free: Int, at now: ContinuousClock.Instant = .now) -> Int {
        state.withLock { state in
            guard state.refused else { return free }
            guard free > 0, now >= state.nextProbe else { return 0 }
            state.nextProbe = now + state.backoff
            return 1
        }
    }
}
