/// When a pushed event that was not accepted is tried again, and when its endpoint is given up on: the backoff
/// grows from `base`, doubling, to `cap`, each wait drawn from [½, 1] of its step so that many endpoints do not
/// retry in step; once the endpoint's head event has failed for `window` (three days by default, counted from its
/// first failed attempt), the next failure disables the endpoint. Strict order: a failing event holds its endpoint.
public struct DeliverySchedule: Sendable, Equatable {
    public var base: Int
    public var cap: Int
    public var window: Int

    public static let standard = DeliverySchedule(base: 5, cap: 3_600, window: 3 * 86_400)

    /// Seconds; `base` ≥ 1, `cap` ≥ `base`.
    public init(base: Int, cap: Int, window: Int) {
        precondition(base >= 1 && cap >= base && window >= 0, "a delivery schedule needs 1 ≤ base ≤ cap and a window ≥ 0")
        self.base = base
        self.cap = cap
        self.window = window
    }

    /// The wait after `failures` (≥ 1) failed attempts in a row; `unit` in [0, 1] is the jitter draw.
    public func delay(afterFailures failures: Int, unit: Double) -> Int {
        let exponent = min(max(failures - 1, 0), 30)
        let step = min(base << exponent, cap)
        return max(1, Int((Double(step) * (0.5 + 0.5 * min(max(unit, 0), 1))).rounded()))
    }
}

/// One endpoint's delivery of its head event, as a state machine after postgres-nio's: `attempted` takes what
/// an attempt came to and returns what the deliverer must record. Times are unix seconds of the deliverer's clock.
public struct EndpointDelivery: Sendable, Equatable {
    /// Failed attempts of the head event so far.
    public private(set) var failures: Int
    /// When the head event's first failed attempt was; nil while none failed.
    public private(set) var failingSince: Int?
    public let schedule: DeliverySchedule

    public enum Outcome: Sendable, Equatable {
        /// The receiver answered 2xx.
        case accepted
        /// Any other answer, no answer in time, a refused address or a connection that failed.
        case refused
    }

    public enum Action: Sendable, Equatable {
        /// Move the cursor past the event; the endpoint is healthy again.
        case advance
        /// Keep the cursor; try the same event again at this time.
        case retry(at: Int)
        /// The head event failed for the whole window: disable the endpoint (the cursor stays on the event).
        case disable(failingSince: Int)
    }

    public init(failures: Int, failingSince: Int?, schedule: DeliverySchedule = .standard) {
        self.failures = failures
        self.failingSince = failingSince
        self.schedule = schedule
    }

    public mutating func attempted(_ outcome: Outcome, at now: Int, jitter unit: Double) -> Action {
        switch outcome {
        case .accepted:
            failures = 0
            failingSince = nil
            return .advance
        case .refused:
            failures += 1
            let since = failingSince ?? now
            failingSince = since
            if now - since >= schedule.window { return .disable(failingSince: since) }
            return .retry(at: now + schedule.delay(afterFailures: failures, unit: unit))
        }
    }
}
