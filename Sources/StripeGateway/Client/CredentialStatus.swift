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
        /// A probe was handed out and its answer is awaited: its refusal doubles the backoff.
        var probing = false
    }

    public static let maxBackoff: Duration = .seconds(60)
    private let state = Mutex(State())

    public init() {}

    public var isRefused: Bool { state.withLock { $0.refused } }

    /// `/health/ready`'s `processor` field.
    public var processorStatus: String { isRefused ? "credentials_refused" : "ok" }

    /// Notes what one answer said about the key: `status` is the HTTP status (nil: no answer came).
    public func note(status: Int?, at now: ContinuousClock.Instant = .now) {
        guard let status else { return }
        state.withLock { state in
            guard status == 401 || status == 403 else {
                state = State()
                return
            }
            if !state.refused {
                state = State(refused: true, backoff: .seconds(1), nextProbe: now + .seconds(1))
            } else if state.probing {
                state.backoff = min(state.backoff * 2, Self.maxBackoff)
                state.nextProbe = now + state.backoff
                state.probing = false
            }
            // Otherwise a call that was in flight when the key was first refused: it changes nothing.
        }
    }

    /// How many operations the worker may claim now, out of `free`: all while the key is accepted; while it
    /// is refused, one (the probe) once per backoff period, else none.
    public func claimable(_ free: Int, at now: ContinuousClock.Instant = .now) -> Int {
        state.withLock { state in
            guard state.refused else { return free }
            guard free > 0, now >= state.nextProbe else { return 0 }
            // Until the probe answers; a probe that never does is followed by another one period later.
            state.nextProbe = now + state.backoff
            state.probing = true
            return 1
        }
    }
}
