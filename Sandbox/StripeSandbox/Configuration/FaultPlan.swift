/// The faults the sandbox injects (contract.md, `POST /_sandbox/faults`). Probabilities are in
/// [0, 1]; ranges are `[min, max]` in milliseconds; a field left out of the JSON is off.
public struct FaultPlan: Codable, Sendable, Equatable {
    public var errorBefore: Double
    public var errorAfter: Double
    public var errorAfterNoop: Double
    public var dropBefore: Double
    public var dropAfter: Double
    public var latencyMs: [Int]
    public var rateLimitRps: Int
    public var searchLagMs: Int
    public var webhookDuplicate: Double
    public var webhookReorder: Bool
    public var webhookDelayMs: [Int]
    public var webhookDropFirst: Double
    public var refuse: Refusals
    public var unauthorized: Double
    public var unreadable2xx: Double
    /// A number makes the fault draws repeatable.
    public var seed: UInt64?

    public init(
        errorBefore: Double = 0, errorAfter: Double = 0, errorAfterNoop: Double = 0, dropBefore: Double = 0,
        dropAfter: Double = 0, latencyMs: [Int] = [0, 0], rateLimitRps: Int = 0, searchLagMs: Int = 0,
        webhookDuplicate: Double = 0, webhookReorder: Bool = false, webhookDelayMs: [Int] = [0, 0],
        webhookDropFirst: Double = 0, refuse: Refusals = Refusals(), unauthorized: Double = 0, unreadable2xx: Double = 0,
        seed: UInt64? = nil
    ) {
        self.errorBefore = errorBefore
        self.errorAfter = errorAfter
        self.errorAfterNoop = errorAfterNoop
        self.dropBefore = dropBefore
        self.dropAfter = dropAfter
        self.latencyMs = latencyMs
        self.rateLimitRps = rateLimitRps
        self.searchLagMs = searchLagMs
        self.webhookDuplicate = webhookDuplicate
        self.webhookReorder = webhookReorder
        self.webhookDelayMs = webhookDelayMs
        self.webhookDropFirst = webhookDropFirst
        self.refuse = refuse
        self.unauthorized = unauthorized
        self.unreadable2xx = unreadable2xx
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey {
        case errorBefore = "error_before"
        case errorAfter = "error_after"
        case errorAfterNoop = "error_after_noop"
        case dropBefore = "drop_before"
        case dropAfter = "drop_after"
        case latencyMs = "latency_ms"
        case rateLimitRps = "rate_limit_rps"
        case searchLagMs = "search_lag_ms"
        case webhookDuplicate = "webhook_duplicate"
        case webhookReorder = "webhook_reorder"
        case webhookDelayMs = "webhook_delay_ms"
        case webhookDropFirst = "webhook_drop_first"
        case refuse
        case unauthorized
        case unreadable2xx = "unreadable_2xx"
        case seed
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let off = FaultPlan()
        errorBefore = try container.decodeIfPresent(Double.self, forKey: .errorBefore) ?? off.errorBefore
        errorAfter = try container.decodeIfPresent(Double.self, forKey: .errorAfter) ?? off.errorAfter
        errorAfterNoop = try container.decodeIfPresent(Double.self, forKey: .errorAfterNoop) ?? off.errorAfterNoop
        dropBefore = try container.decodeIfPresent(Double.self, forKey: .dropBefore) ?? off.dropBefore
        dropAfter = try container.decodeIfPresent(Double.self, forKey: .dropAfter) ?? off.dropAfter
        latencyMs = try container.decodeIfPresent([Int].self, forKey: .latencyMs) ?? off.latencyMs
        rateLimitRps = try container.decodeIfPresent(Int.self, forKey: .rateLimitRps) ?? off.rateLimitRps
        searchLagMs = try container.decodeIfPresent(Int.self, forKey: .searchLagMs) ?? off.searchLagMs
        webhookDuplicate = try container.decodeIfPresent(Double.self, forKey: .webhookDuplicate) ?? off.webhookDuplicate
        webhookReorder = try container.decodeIfPresent(Bool.self, forKey: .webhookReorder) ?? off.webhookReorder
        webhookDelayMs = try container.decodeIfPresent([Int].self, forKey: .webhookDelayMs) ?? off.webhookDelayMs
        webhookDropFirst = try container.decodeIfPresent(Double.self, forKey: .webhookDropFirst) ?? off.webhookDropFirst
        refuse = try container.decodeIfPresent(Refusals.self, forKey: .refuse) ?? off.refuse
        unauthorized = try container.decodeIfPresent(Double.self, forKey: .unauthorized) ?? off.unauthorized
        unreadable2xx = try container.decodeIfPresent(Double.self, forKey: .unreadable2xx) ?? off.unreadable2xx
        seed = try container.decodeIfPresent(UInt64.self, forKey: .seed)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(errorBefore, forKey: .errorBefore)
        try container.encode(errorAfter, forKey: .errorAfter)
        try container.encode(errorAfterNoop, forKey: .errorAfterNoop)
        try container.encode(dropBefore, forKey: .dropBefore)
        try container.encode(dropAfter, forKey: .dropAfter)
        try container.encode(latencyMs, forKey: .latencyMs)
        try container.encode(rateLimitRps, forKey: .rateLimitRps)
        try container.encode(searchLagMs, forKey: .searchLagMs)
        try container.encode(webhookDuplicate, forKey: .webhookDuplicate)
        try container.encode(webhookReorder, forKey: .webhookReorder)
        try container.encode(webhookDelayMs, forKey: .webhookDelayMs)
        try container.encode(webhookDropFirst, forKey: .webhookDropFirst)
        try container.encode(refuse, forKey: .refuse)
        try container.encode(unauthorized, forKey: .unauthorized)
        try container.encode(unreadable2xx, forKey: .unreadable2xx)
        try container.encode(seed, forKey: .seed)  // `null` when unset, as the contract shows
    }

    /// Why the plan cannot be used, or nil when it is sound.
    public var problem: String? {
        let probabilities = [
            ("error_before", errorBefore), ("error_after", errorAfter), ("error_after_noop", errorAfterNoop),
            ("drop_before", dropBefore), ("drop_after", dropAfter), ("webhook_duplicate", webhookDuplicate),
            ("webhook_drop_first", webhookDropFirst), ("refuse.capture", refuse.capture), ("refuse.cancel", refuse.cancel),
            ("refuse.refund", refuse.refund), ("unauthorized", unauthorized), ("unreadable_2xx", unreadable2xx),
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

extension FaultPlan {
    /// The operations the `refuse` fault can refuse.
    public enum Operation: String, CaseIterable, Sendable {
        case capture, cancel, refund
    }

    /// `refuse`: per operation, the probability that a capture, cancel or refund create that would
    /// succeed answers Stripe's 400 instead, leaving the object as it was. Keys other than the
    /// three operations make the plan invalid.
    public struct Refusals: Codable, Sendable, Equatable {
        public var capture: Double
        public var cancel: Double
        public var refund: Double

        public init(capture: Double = 0, cancel: Double = 0, refund: Double = 0) {
            self.capture = capture
            self.cancel = cancel
            self.refund = refund
        }

        public subscript(operation: Operation) -> Double {
            switch operation {
            case .capture: capture
            case .cancel: cancel
            case .refund: refund
            }
        }

        enum CodingKeys: String, CodingKey {
            case capture, cancel, refund
        }

        private struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        public init(from decoder: any Decoder) throws {
            let keys = try decoder.container(keyedBy: AnyKey.self).allKeys
            if let unknown = keys.first(where: { CodingKeys(stringValue: $0.stringValue) == nil }) {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: decoder.codingPath + [unknown],
                        debugDescription: "refuse takes only capture, cancel and refund"
                    )
                )
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            capture = try container.decodeIfPresent(Double.self, forKey: .capture) ?? 0
            cancel = try container.decodeIfPresent(Double.self, forKey: .cancel) ?? 0
            refund = try container.decodeIfPresent(Double.self, forKey: .refund) ?? 0
        }
    }
}
