import Support

/// The fault decisions for one `/v1` request, drawn together so a seed replays them exactly.
struct RequestFaults: Sendable {
    var unauthorized = false
    var rateLimited = false
    var errorBefore = false
    var dropBefore = false
    var errorAfterNoop = false
    var refused: Set<FaultPlan.Operation> = []
    var errorAfter = false
    var dropAfter = false
    var unreadable2xx = false
    var latency: Duration = .zero
    /// The plan these were drawn under: a fault fired after the plan was replaced is not counted.
    var generation = 0
}

/// The faults `GET /_sandbox/faults` counts under `injected`, named as in the plan.
enum InjectedFault: String, CaseIterable, Sendable {
    case errorBefore = "error_before"
    case errorAfter = "error_after"
    case errorAfterNoop = "error_after_noop"
    case dropBefore = "drop_before"
    case dropAfter = "drop_after"
    case rateLimit = "rate_limit_rps"
    case refuse
    case unauthorized
    case unreadable2xx = "unreadable_2xx"
    case webhookDuplicate = "webhook_duplicate"
    case webhookDropFirst = "webhook_drop_first"
}

/// The decisions for one webhook event.
struct WebhookFaults: Sendable {
    /// `POST /_sandbox/events/drop-next`: never sent, not even retried.
    var dropped = false
    var duplicate = false
    var dropFirst = false
    var delay: Duration = .zero
}

/// `GET /_sandbox/faults`: the plan's fields, and `injected` beside them.
struct FaultReport: Encodable, Sendable {
    let plan: FaultPlan
    let injected: [String: Int]

    private enum CodingKeys: String, CodingKey { case injected }

    func encode(to encoder: any Encoder) throws {
        try plan.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(injected, forKey: .injected)
    }
}

/// Holds the fault plan, its random source, the rate limiter's window and the counts of the faults
/// that fired under the plan.
actor FaultInjector {
    private(set) var plan: FaultPlan
    private var random: SeededGenerator
    private var generation = 0
    private var counts: [InjectedFault: Int] = [:]
    /// Arrival times of the requests admitted in the last second.
    private var recent: [ContinuousClock.Instant] = []
    /// How many of the next events are not delivered (`POST /_sandbox/events/drop-next`); a new plan keeps it.
    private(set) var eventsToDrop = 0

    init(plan: FaultPlan) {
        self.plan = plan
        self.random = Self.generator(for: plan)
    }

    func replace(_ plan: FaultPlan) {
        self.plan = plan
        random = Self.generator(for: plan)
        recent = []
        generation += 1
        counts = [:]
    }

    func decideRequest() -> RequestFaults {
        var faults = RequestFaults(generation: generation)
        // Draw every value every time, so the sequence does not depend on which faults are on.
        let draws = (0..<4).map { _ in Double.random(in: 0..<1, using: &random) }
        faults.errorBefore = draws[0] < plan.errorBefore
        faults.dropBefore = draws[1] < plan.dropBefore
        faults.errorAfter = draws[2] < plan.errorAfter
        faults.dropAfter = draws[3] < plan.dropAfter
        faults.latency = .milliseconds(Int.random(in: plan.latencyMs[0]...plan.latencyMs[1], using: &random))
        let more = (0..<6).map { _ in Double.random(in: 0..<1, using: &random) }
        faults.errorAfterNoop = more[0] < plan.errorAfterNoop
        faults.unauthorized = more[1] < plan.unauthorized
        faults.unreadable2xx = more[2] < plan.unreadable2xx
        faults.refused = Set(zip(FaultPlan.Operation.allCases, more[3...]).filter { $1 < plan.refuse[$0] }.map(\.0))
        // A request refused by auth never reaches the rate limiter.
        faults.rateLimited = !faults.unauthorized && !admit(at: .now)
        return faults
    }

    /// Counts a fault that took effect on a request drawn under `generation`.
    func record(_ fault: InjectedFault, generation: Int) {
        guard generation == self.generation else { return }
        counts[fault, default: 0] += 1
    }

    /// The plan with how many times each countable fault fired under it (0 when it never did).
    var report: FaultReport {
        let injected = InjectedFault.allCases.map { ($0.rawValue, counts[$0] ?? 0) }
        return FaultReport(plan: plan, injected: Dictionary(uniqueKeysWithValues: injected))
    }

    func decideWebhook() -> WebhookFaults {
        var faults = WebhookFaults()
        faults.duplicate = Double.random(in: 0..<1, using: &random) < plan.webhookDuplicate
        faults.dropFirst = Double.random(in: 0..<1, using: &random) < plan.webhookDropFirst
        var delay = Int.random(in: plan.webhookDelayMs[0]...plan.webhookDelayMs[1], using: &random)
        // Reordering: a random hold-back of up to half a second shuffles events queued close together.
        let jitter = Int.random(in: 0...500, using: &random)
        if plan.webhookReorder { delay += jitter }
        faults.delay = .milliseconds(delay)
        // The draws above happen for a dropped event too, so the seeded sequence does not depend on drops.
        faults.dropped = eventsToDrop > 0
        if faults.dropped {
            eventsToDrop -= 1
            return faults
        }
        if faults.duplicate { counts[.webhookDuplicate, default: 0] += 1 }
        if faults.dropFirst { counts[.webhookDropFirst, default: 0] += 1 }
        return faults
    }

    func dropEvents(_ count: Int) {
        eventsToDrop = count
    }

    var searchLag: Duration { .milliseconds(plan.searchLagMs) }

    private func admit(at now: ContinuousClock.Instant) -> Bool {
        guard plan.rateLimitRps > 0 else { return true }
        let windowStart = now - .seconds(1)
        recent.removeAll { $0 <= windowStart }
        guard recent.count < plan.rateLimitRps else { return false }
        recent.append(now)
        return true
    }

    private static func generator(for plan: FaultPlan) -> SeededGenerator {
        var system = SystemRandomNumberGenerator()
        return SeededGenerator(seed: plan.seed ?? system.next())
    }
}
