/// A subscriber's endpoint for pushed events, as stored (its secrets aside: see `SigningSecrets`).
public struct WebhookEndpoint: Sendable, Equatable {
    public var id: String
    public var url: String
    public var events: EventSelection
    public var description: String?
    public var enabled: Bool
    /// Why the service disabled it (the retry window ran out); nil when enabled or disabled by an operator.
    public var disabledReason: String?
    /// The feed cursor of the last event it has been given (or passed over as not selected).
    public var cursor: String
    /// Failed attempts of the event it is held on, and when the next one is due (RFC 3339; nil when not failing).
    public var failures: Int
    public var nextAttemptAt: String?
    public var createdAt: String
    public var updatedAt: String

    public init(
        id: String, url: String, events: EventSelection, description: String?, enabled: Bool, disabledReason: String?, cursor: String,
        failures: Int, nextAttemptAt: String?, createdAt: String, updatedAt: String
    ) {
        self.id = id
        self.url = url
        self.events = events
        self.description = description
        self.enabled = enabled
        self.disabledReason = disabledReason
        self.cursor = cursor
        self.failures = failures
        self.nextAttemptAt = nextAttemptAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A change to an endpoint: only the fields given change.
public struct WebhookEndpointChange: Sendable, Equatable {
    public var url: String?
    public var events: EventSelection?
    /// `.some(nil)` clears it.
    public var description: String??
    public var enabled: Bool?

    public init(url: String? = nil, events: EventSelection? = nil, description: String?? = nil, enabled: Bool? = nil) {
        self.url = url
        self.events = events
        self.description = description
        self.enabled = enabled
    }
}

/// The secrets an endpoint's deliveries are signed with: the current one, and during a rotation's overlap the
/// previous one too (both signatures are sent, as Stripe does, so receivers can switch at their own pace).
public struct SigningSecrets: Sendable, Equatable {
    public var current: String
    public var previous: String?
    /// Unix seconds until which `previous` still signs.
    public var previousUntil: Int?

    public static let prefix = "whsec_"
    /// A rotation's overlap is at most a week, as Stripe allows.
    public static let maxOverlap = 7 * 86_400
    public static let defaultOverlap = 86_400

    public init(current: String, previous: String? = nil, previousUntil: Int? = nil) {
        self.current = current
        self.previous = previous
        self.previousUntil = previousUntil
    }

    /// The secrets that sign an attempt made at `now`: the current first.
    public func signing(at now: Int) -> [String] {
        guard let previous, let previousUntil, now < previousUntil else { return [current] }
        return [current, previous]
    }

    /// A fresh `whsec_…` secret: 32 random bytes in lower-case hex.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        return prefix + String((0..<64).map { _ in digits[Int(generator.next() & 0xF)] })
    }
}
