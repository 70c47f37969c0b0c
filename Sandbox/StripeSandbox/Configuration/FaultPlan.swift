/// The faults the sandbox injects (contract.md, `POST /_sandbox/faults`). Probabilities are in
/// [0, 1]; ranges are `[min, max]` in milliseconds; a field left out of the JSON is off.
public struct FaultPlan: Codable, Sendable, Equatable {
    public var errorBefore: Double
    public var errorAfter: Double
    public var dropBefore: Double
    public var dropAfter: Double
    public var latencyMs: [Int]
    public var rateLimitRps: Int
    public var searchLagMs: Int
    public var webhookDuplicate: Double
    public var webhookReorder: Bool
    public var webhookDelayMs: [Int]
    public var webhookDropFirst: Double
    /// A number makes the fault draws repeatable.
    public var seed: UInt64?

    public init(
        errorBefore: Double = 0, errorAfter: Double = 0, dropBefore: Double = 0, dropAfter: Double = 0,
        latencyMs: [Int] = [0, 0], rateLimitRps: Int = 0, searchLagMs: Int = 0, webhookDuplicate: Double = 0,
        webhookReorder: Bool = false, webhookDelayMs: [Int] = [0, 0], webhookDropFirst: Double = 0, seed: UInt64? = nil
    ) {
        self.errorBefore = errorBefore
        self.errorAfter = errorAfter
        self.dropBefore = dropBefore
        self.dropAfter = dropAfter
        self.latencyMs = latencyMs
        self.rateLimitRps = rateLimitRps
        self.searchLagMs = searchLagMs
        self.webhookDuplicate = webhookDuplicate
        self.webhookReorder = webhookReorder
        self.webhookDelayMs = webhookDelayMs
        self.webhookDropFirst = webhookDropFirst
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey {
        case errorBefore = "error_before"
        case errorAfter = "error_after"
        case dropBefore = "drop_before"
        case dropAfter = "drop_after"
        case latencyMs = "latency_ms"
        case rateLimitRps = "rate_limit_rps"
        case searchLagMs = "search_lag_ms"
        case webhookDuplicate = "webhook_duplicate"
        case webhookReorder = "webhook_reorder"
        case webhookDelayMs = "webhook_delay_ms"
        case webhookDropFirst = "webhook_drop_first"
        case seed
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let off = FaultPlan()
        errorBefore = try container.decodeIfPresent(Double.self, forKey: .errorBefore) ?? off.errorBefore
        errorAfter = try container.decodeIfPresent(Double.self, forKey: .errorAfter) ?? off.errorAfter
        dropBefore = try container.decodeIfPresent(Double.self, forKey: .dropBefore) ?? off.dropBefore
        dropAfter = try container.decodeIfPresent(Double.self, forKey: .dropAfter) ?? off.dropAfter
        latencyMs = try container.decodeIfPresent([Int].self, forKey: .latencyMs) ?? off.latencyMs
        rateLimitRps = try container.decodeIfPresent(Int.self, forKey: .rateLimitRps) ?? off.rateLimitRps
        searchLagMs = try container.decodeIfPresent(Int.self, forKey: .searchLagMs) ?? off.searchLagMs
        webhookDuplicate = try container.decodeIfPresent(Double.self, forKey: .webhookDuplicate) ?? off.webhookDuplicate
        webhookReorder = try container.decodeIfPresent(Bool.self, forKey: .webhookReorder) ?? off.webhookReorder
        webhookDelayMs = try container.decodeIfPresent([Int].self, forKey: .webhookDelayMs) ?? off.webhookDelayMs
        webhookDropFirst = try container.decodeIfPresent(Double.self, forKey: .webhookDropFirst) ?? off.webhookDropFirst
        seed = try container.decodeIfPresent(UInt64.self, forKey: .seed)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(errorBefore, forKey: .errorBefore)
        try container.encode(errorAfter, forKey: .errorAfter)
        try container.encode(dropBefore, forKey: .dropBefore)
        try container.encode(dropAfter, forKey: .dropAfter)
        try container.encode(latencyMs, forKey: .latencyMs)
        try container.encode(rateLimitRps, forKey: .rateLimitRps)
        try container.encode(searchLagMs, forKey: .searchLagMs)
        try container.encode(webhookDuplicate, forKey: .webhookDuplicate)
        try container.encode(webhookReorder, forKey: .webhookReorder)
        try container.encode(webhookDelayMs, forKey: .webhookDelayMs)
        try container.encode(webhookDropFirst, forKey: .webhookDropFirst)
        try container.encode(seed, forKey: .seed)  // `null` when unset, as the contract shows
    }

    /// Why the plan cannot be used, or nil when it is sound.
    public var problem: String? {
        let probabilities = [
            ("error_before", errorBefore), ("error_after", errorAfter), ("drop_before", dropBefore),
            ("drop_after", dropAfter), ("webhook_duplicate", webhookDuplicate), ("webhook_drop_first", webhookDropFirst),
        ]
        if let (name, _) = probabilities.first(where: { !(0...1).contains($0.1) }) {
            return "\(name) must be a probability between 0 and 1"
        }
        for (name, range) in [("latency_ms", latencyMs), ("webhook_delay_ms", webhookDelayMs)] {
            guard range.count == 2, range[0] >= 0, range[0] <= range[1] else {
                return "\(name) must be [min, max] with 0 <= min <= max"
            }
        }
        if rateLimitRps < 0 { return "rate_limit_rps must not be negative" }
        if searchLagMs < 0 { return "search_lag_ms must not be negative" }
        return nil
    }
}
