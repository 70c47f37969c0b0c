import Foundation
import Hummingbird
import Logging

/// A tiny webhook endpoint: records every delivery and answers 500 to the first `failing` ones.
final class WebhookReceiver: Sendable {
    struct Delivery: Sendable {
        let body: [UInt8]
        let signature: String?
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
        var eventID: String { json["id"] as? String ?? "" }
        var type: String { json["type"] as? String ?? "" }
    }

    actor Log {
        var deliveries: [Delivery] = []
        var refusals: Int
        init(failing: Int) { refusals = failing }
        func record(_ delivery: Delivery) -> Bool {
            deliveries.append(delivery)
            guard refusals > 0 else { return true }
            refusals -= 1
            return false
        }
    }

    let url: String
    let log: Log
    private let task: Task<Void, any Error>

    private init(url: String, log: Log, task: Task<Void, any Error>) {
        self.url = url
        self.log = log
        self.task = task
    }

    static func start(failing: Int = 0) async throws -> WebhookReceiver {
        let log = Log(failing: failing)
        let router = Router()
        router.post("/webhooks/stripe") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            let delivery = Delivery(body: Array(body.readableBytesView), signature: request.headers[values: .init("Stripe-Signature")!].first)
            return Response(status: await log.record(delivery) ? .ok : .internalServerError)
        }
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        // Stopped by cancellation, which Hummingbird reports at error level: not worth showing.
        var logger = Logger(label: "webhook-receiver")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { sink.yield($0.localAddress?.port ?? 0) }, logger: logger
        )
        let task = Task { defer { sink.finish() }; try await app.run() }
        for await port in ports {
            return WebhookReceiver(url: "http://127.0.0.1:\(port)/webhooks/stripe", log: log, task: task)
        }
        try await task.value
        throw ReceiverError()
    }

    struct ReceiverError: Error {}

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }

    var deliveries: [Delivery] { get async { await log.deliveries } }

    /// Waits until `condition` holds for the deliveries so far, or `timeout` passes.
    func wait(
        timeout: Duration = .seconds(10), until condition: @Sendable ([Delivery]) -> Bool
    ) async -> [Delivery] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let seen = await log.deliveries
            if condition(seen) || ContinuousClock.now >= deadline { return seen }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
