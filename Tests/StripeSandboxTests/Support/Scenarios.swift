import Foundation
import StripeSandbox
import TestSupport

/// A sandbox that sends its webhooks to a fresh receiver (stopped afterwards, whatever happens).
func withWebhookSandbox(
    failing: Int = 0, faults: FaultPlan = FaultPlan(), secret: String = "whsec_test_sandbox_secret",
    _ body: (SandboxHarness, WebhookReceiver) async throws -> Void
) async throws {
    let receiver = try await WebhookReceiver.start(failing: failing)
    do {
        let configuration = SandboxConfiguration(port: 0, webhookURL: receiver.url, webhookSecret: secret, faults: faults)
        try await withStripeSandbox(configuration) { sandbox in try await body(sandbox, receiver) }
        await receiver.stop()
    } catch {
        await receiver.stop()
        throw error
    }
}

extension StripeTestClient {
    /// A confirmation with the customer present (no `off_session`), as a 3-D Secure flow starts.
    func confirmOnSession(_ id: String, paymentMethod: String, _ extra: [(String, String)] = []) async throws -> Reply {
        try await post("/v1/payment_intents/\(id)/confirm", [("payment_method", paymentMethod)] + extra)
    }

    /// `POST /_sandbox/payment_intents/{id}/authenticate` with `{"outcome": …}`.
    func authenticate(_ id: String, outcome: String) async throws -> Reply {
        try await postJSON("/_sandbox/payment_intents/\(id)/authenticate", #"{"outcome": "\#(outcome)"}"#)
    }

    /// An intent confirmed off session with `paymentMethod`, and the answer.
    func confirmed(
        _ paymentMethod: String, capture: String = "manual", amount: Int = 1000, currency: String = "usd"
    ) async throws -> (id: String, reply: Reply) {
        let id = try await createIntent(amount: amount, currency: currency, capture: capture)
        return (id, try await confirm(id, paymentMethod: paymentMethod))
    }

    /// `GET /v1/charges/{id}`, decoded.
    func charge(_ id: String) async throws -> [String: Any] {
        let reply = try await get("/v1/charges/\(id)")
        guard reply.status == 200 else { throw ReplyError(reply: reply) }
        return reply.json
    }

    /// The charge behind an intent's `latest_charge`.
    func latestCharge(of intent: String) async throws -> [String: Any] {
        let reply = try await get("/v1/payment_intents/\(intent)")
        guard let charge = reply.string("latest_charge") else { throw ReplyError(reply: reply) }
        return try await self.charge(charge)
    }
}

extension WebhookReceiver {
    /// Waits for an event of `type` about the object `id`, and returns that object.
    func object(_ type: String, id: String, timeout: Duration = .seconds(10)) async -> [String: Any]? {
        let deliveries = await wait(timeout: timeout) { $0.contains { $0.type == type && $0.objectID == id } }
        return deliveries.first { $0.type == type && $0.objectID == id }?.object
    }

    /// Waits until every one of `types` was delivered, then returns the types delivered among them, in order.
    func order(of types: [String], timeout: Duration = .seconds(10)) async -> [String] {
        let wanted = Set(types)
        let deliveries = await wait(timeout: timeout) { wanted.isSubset(of: Set($0.map(\.type))) }
        return deliveries.map(\.type).filter(wanted.contains)
    }

    /// The types of the events about the object `id` delivered so far.
    func types(about id: String) async -> [String] {
        await deliveries.filter { $0.objectID == id }.map(\.type)
    }
}

extension WebhookReceiver.Delivery {
    var object: [String: Any] { (json["data"] as? [String: Any])?["object"] as? [String: Any] ?? [:] }
    var objectID: String? { object["id"] as? String }
}

extension Reply {
    /// A nested object of the body (`next_action`, an expanded `latest_charge`…).
    func object(_ key: String) -> [String: Any]? { json[key] as? [String: Any] }
}

extension Dictionary where Key == String, Value == Any {
    func string(_ key: String) -> String? { self[key] as? String }
    func int(_ key: String) -> Int? { self[key] as? Int }
    func object(_ key: String) -> [String: Any]? { self[key] as? [String: Any] }
}
