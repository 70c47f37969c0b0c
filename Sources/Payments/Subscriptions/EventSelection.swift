/// Which event types a webhook endpoint receives: every type (`"*"`), or the types it names.
public enum EventSelection: Sendable, Equatable {
    case all
    case only(Set<String>)

    /// Every event type the outbox writes, in the contract's order.
    public static let knownTypes = [
        "payment-requested", "payment-succeeded", "payment-failed", "payment-captured", "payment-voided",
        "refund-requested", "refund-processed", "refund-failed", "payment-action-required", "payment-review-opened",
        "payment-review-closed", "payment-authorization-expiring", "payment-authorization-expired", "payment-disputed",
        "dispute-funds-withdrawn", "dispute-funds-reinstated", "dispute-closed",
    ]

    /// As stored and shown: `["*"]`, or the types in the contract's order.
    public var names: [String] {
        switch self {
        case .all: ["*"]
        case .only(let types): Self.knownTypes.filter(types.contains)
        }
    }

    /// From stored or requested names; nil when one is neither a known type nor `"*"`, or none is given. `"*"` among
    /// other names still means every type (they add nothing to it).
    public init?(names: [String]) {
        let unique = Set(names)
        guard !unique.contains("*") else {
            guard unique.isSubset(of: Self.knownTypes + ["*"]) else { return nil }
            self = .all
            return
        }
        guard !unique.isEmpty, unique.isSubset(of: Self.knownTypes) else { return nil }
        self = .only(unique)
    }

    public func includes(_ type: String) -> Bool {
        switch self {
        case .all: true
        case .only(let types): types.contains(type)
        }
    }
}
