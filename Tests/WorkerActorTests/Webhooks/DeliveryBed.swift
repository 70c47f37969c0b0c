import Foundation
import Payments
import Store
import StripeGateway
import Synchronization
import TestSupport
@testable import WorkerActor

/// A database with one endpoint, deliverers on a clock the test can move, and events written straight to the outbox.
final class DeliveryBed: Sendable {
    let db: TestDatabase
    /// Seconds added to the wall clock for the deliverers' retry schedule.
    let offset = Mutex(0)
    static let quick = DeliverySchedule(base: 1, cap: 1, window: 3 * 86_400)

    init() async throws {
        db = try await TestDatabase.create()
    }

    var now: Int { Int(Date().timeIntervalSince1970) + offset.withLock { $0 } }

    func endpoint(url: String, events: EventSelection = .all, secret: String = "whsec_bed_a") async throws -> WebhookEndpoint {
        try await db.database.createWebhookEndpoint(
            id: UUID().uuidString.lowercased(), url: url, events: events, description: nil, secret: secret, by: Attribution(actor: "test"))
    }

    /// `count` events of `type` in one transaction; their ids (feed cursors) in feed order.
    @discardableResult
    func append(_ count: Int, type: String = "payment-succeeded") async throws -> [String] {
        try await db.column(
            """
            INSERT INTO events (type, subject_id, payment_id, data)
            SELECT \(type), gen_random_uuid(), gen_random_uuid(), '{"n":' || n || '}' FROM generate_series(1, \(count)::int) AS n
            RETURNING xid::text || '-' || seq
            """
        ).compactMap { $0 }
    }

    func deliverer(
        owner: String = "bed-\(UUID().uuidString.prefix(4))", schedule: DeliverySchedule = DeliveryBed.quick, timeout: Duration = .seconds(1),
        refusing: (@Sendable ([UInt8]) -> String?)? = nil
    ) -> (WebhookDeliverer, CurlHTTPClient) {
        let http = CurlHTTPClient(
            maxConcurrent: 4, connectTimeout: .seconds(1), totalTimeout: timeout, maxResponseBytes: 64 << 10,
            destinations: CurlDestinationRules(refusedAddress: refusing, ignoresProxies: true, cutsLongAnswers: true))
        let configuration = WebhookDeliveryConfiguration(
            concurrency: 4, lease: .seconds(30), pollInterval: .milliseconds(100), owner: owner, schedule: schedule,
            clock: { [self] in self.now }, jitter: { 1 })
        return (WebhookDeliverer(database: db.database, http: http, configuration: configuration, wakeups: nil, logger: .init(label: "test")), http)
    }

    /// Runs the deliverers while `body` runs.
    func running(_ deliverers: [(WebhookDeliverer, CurlHTTPClient)], _ body: () async throws -> Void) async throws {
        let tasks = deliverers.map { deliverer, _ in Task { try await deliverer.run() } }
        defer {
            tasks.forEach { $0.cancel() }
            deliverers.forEach { $0.1.shutdown() }
        }
        try await body()
    }

    func shutdown() async {
        await db.database.shutdown()
    }

    /// A loopback port with nothing listening (a receiver started and killed on it).
    static func closedPort() throws -> Int {
        let receiver = try WebhookReceiver.start()
        receiver.kill()
        return receiver.port
    }

    func deliveries(_ endpoint: String) async throws -> [WebhookDelivery] {
        try await db.database.webhookDeliveries(endpointId: endpoint, before: nil, limit: 500) ?? []
    }
}

extension [WebhookReceiver.Received] {
    /// The requests the plan answered 200 (not slowed past the client's time-out, not dropped).
    var accepted: [WebhookReceiver.Received] { filter { $0.action == "200" } }
}
