/// Where state changes go: the webhook dispatcher, or nowhere. `created` is the event's, in sandbox time.
protocol EventPublishing: Sendable {
    func publish(_ type: String, _ object: JSONValue, created: Int)
    /// Events whose order a receiver may rely on (`charge.expired` before `payment_intent.canceled`):
    /// each is first sent once the one before it was answered, unless a delay fault holds it back.
    func publishInOrder(_ events: [(type: String, object: JSONValue)], created: Int)
}

struct NoEvents: EventPublishing {
    func publish(_ type: String, _ object: JSONValue, created: Int) {}
    func publishInOrder(_ events: [(type: String, object: JSONValue)], created: Int) {}
}

/// What the state publishes through: its publisher, with the sandbox time of the change.
struct StampedEvents {
    let publisher: any EventPublishing
    let created: Int

    func publish(_ type: String, _ object: JSONValue) { publisher.publish(type, object, created: created) }

    func publishInOrder(_ events: [(type: String, object: JSONValue)]) {
        publisher.publishInOrder(events, created: created)
    }
}

enum Webhook {
    /// The version events are rendered in (stripe.md pins it).
    static let apiVersion = "2024-10-28.acacia"
    /// Attempts per event, the first one included; retries wait 1 s, 2 s, 4 s, …
    static let maxAttempts = 10
}

/// A Stripe Event, rendered once so every attempt (and duplicate) sends the same bytes.
struct WebhookEvent: Sendable {
    let id: String
    let type: String
    let payload: [UInt8]

    init(type: String, object: JSONValue, created: Int) {
        id = StripeID.make("evt")
        self.type = type
        let json: JSONValue = [
            "id": .string(id),
            "object": "event",
            "api_version": .string(Webhook.apiVersion),
            "created": .int(created),
            "data": ["object": object],
            "livemode": false,
            "pending_webhooks": 1,
            "request": ["id": nil, "idempotency_key": nil],
            "type": .string(type),
        ]
        payload = Array(json.serialized.utf8)
    }
}
