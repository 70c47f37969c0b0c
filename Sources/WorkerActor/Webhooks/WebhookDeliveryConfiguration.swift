import Foundation
import Payments

public struct WebhookDeliveryConfiguration: Sendable {
    /// Endpoints pushed to at once (`WEBHOOK_CONCURRENCY`); each has at most one request in flight.
    public var concurrency: Int
    /// How long a claim on an endpoint is exclusive; every recorded attempt extends it. An attempt takes at most
    /// the client's 10 s time-out, well inside it.
    public var lease: Duration
    /// How often endpoints are looked at for due retries and other processes' events, besides the wake-ups.
    public var pollInterval: Duration
    /// This deliverer's name on its leases.
    public var owner: String
    public var schedule: DeliverySchedule
    /// The most events one claim pushes before the endpoint goes back in the queue, so busy endpoints take turns.
    public var eventsPerClaim: Int
    /// Unix seconds of the retry schedule: tests move it to cross the retry window.
    public var clock: @Sendable () -> Int
    /// The jitter draw in [0, 1].
    public var jitter: @Sendable () -> Double

    public init(
        concurrency: Int = 4, lease: Duration = .seconds(30), pollInterval: Duration = .seconds(1), owner: String,
        schedule: DeliverySchedule = .standard, eventsPerClaim: Int = 200,
        clock: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970) },
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }
    ) {
        self.concurrency = concurrency
        self.lease = lease
        self.pollInterval = pollInterval
        self.owner = owner
        self.schedule = schedule
        self.eventsPerClaim = eventsPerClaim
        self.clock = clock
        self.jitter = jitter
    }
}
