/// One row of an endpoint's delivery log: the cursor's delivery of one event (every attempt counted in it), or
/// one redelivery an operator asked for.
public struct WebhookDelivery: Sendable, Equatable {
    public enum Status: String, Sendable {
        /// Not accepted yet: retried on the schedule (a redelivery: waiting for its one attempt).
        case pending
        case delivered
        /// Given up: the endpoint was disabled on it, or a redelivery's attempt was refused.
        case failed
    }

    public var id: Int
    public var endpointId: String
    /// The event's feed cursor (its `id` in the feed).
    public var eventId: String
    public var eventType: String
    public var redelivery: Bool
    public var status: Status
    public var attempts: Int
    /// The last answer's HTTP status; nil when none came (a time-out, a refused address, a failed connection).
    public var lastStatus: Int?
    public var lastError: String?
    public var lastAttemptAt: String?
    public var createdAt: String

    public init(
        id: Int, endpointId: String, eventId: String, eventType: String, redelivery: Bool, status: Status, attempts: Int, lastStatus: Int?,
        lastError: String?, lastAttemptAt: String?, createdAt: String
    ) {
        self.id = id
        self.endpointId = endpointId
        self.eventId = eventId
        self.eventType = eventType
        self.redelivery = redelivery
        self.status = status
        self.attempts = attempts
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.lastAttemptAt = lastAttemptAt
        self.createdAt = createdAt
    }
}

/// What one attempt to push an event came to.
public struct DeliveryAttempt: Sendable, Equatable {
    /// The receiver's HTTP status; nil when no answer came.
    public var status: Int?
    /// Why it failed, for the log (nil when accepted).
    public var error: String?

    public init(status: Int?, error: String?) {
        self.status = status
        self.error = error
    }

    /// Only a 2xx counts as delivered; redirects are not followed.
    public var outcome: EndpointDelivery.Outcome { status.map { (200...299).contains($0) } == true ? .accepted : .refused }
}

extension Attribution {
    /// The deliverer's own writes: an endpoint disabled when its retry window ran out.
    public static let webhookDelivery = Attribution(actor: "webhook-delivery")
}
