import Foundation
import Testing
import TestSupport

/// An uncaptured hold's deadline through the real binary against the sandbox, webhooks delivered: the warning, the
/// processor dropping the hold when the sandbox's clock passes `capture_before`, the capture refused after it, and
/// the `void` policy releasing a hold before it.
@Suite("After the hold: authorization expiry")
struct HoldExpiryFlowTests {
    static let wait = [("Prefer", "wait=5")]

    static func authorized(_ api: APIClient) async throws -> APIClient.Answer {
        let answer = try await api.post("/payments/authorize", json: authorizeBody(paymentMethod: "pm_card_visa", capture: "manual"), headers: wait)
        #expect(answer.string("status") == "AUTHORIZED", "\(answer.text)")
        return answer
    }

    static func events(_ api: APIClient, of paymentId: String) async throws -> [String] {
        let feed = try await api.get("/events?limit=1000")
        let check = try EventSchemaCheck.run(feed: feed.body)
        #expect(check.status == 0, "\(check.output)")
        let events = feed.json["events"] as? [[String: Any]] ?? []
        return events.filter { ($0["data"] as? [String: Any])?["paymentId"] as? String == paymentId }.compactMap { $0["type"] as? String }
    }

    static func awaitEvent(_ api: APIClient, _ paymentId: String, _ type: String, timeout: Duration = .seconds(20)) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        var events = try await events(api, of: paymentId)
        while !events.contains(type), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(250))
            events = try await Self.events(api, of: paymentId)
        }
        return events
    }

    @Test("an expiring hold warns once (two instances sweeping), then ends VOIDED / EXPIRED with payment-authorization-expired; a capture after it is a 409 with no processor call")
    func expires() async throws {
        // The sandbox's off-session hold lasts 4 days 18 hours: a warning window of 5 days covers it from the start.
        let extra = ["EXPIRY_WARNING": "432000"]
        try await Stack.withService(webhooks: true, extra: extra) { stack, service in
            let api = stack.client(service)
            let payment = try await Self.authorized(api)
            let id = try #require(payment.string("paymentId"))
            let intent = try #require(payment.string("processorReference"))
            let deadline = try #require(payment.string("authorizationExpiresAt"), "\(payment.text)")
            let ledger = try await stack.sandbox.stripeGet("/v1/payment_intents/\(intent)?expand[]=latest_charge")
            let card = ((ledger["latest_charge"] as? [String: Any])?["payment_method_details"] as? [String: Any])?["card"] as? [String: Any]
            let captureBefore = try #require(card?["capture_before"] as? Int, "\(ledger)")
            #expect(deadline == Self.rfc3339(captureBefore), "\(deadline) vs \(captureBefore)")
            let second = try await ServiceProcess.start(environment: stack.environment(role: "worker", extra: extra))
            defer { _ = second.terminate() }
            _ = try await Self.awaitEvent(api, id, "payment-authorization-expiring")
            try await Task.sleep(for: .seconds(11))  // two more sweeps of each instance
            #expect(try await Self.events(api, of: id).filter { $0 == "payment-authorization-expiring" }.count == 1)

            #expect(try await stack.sandbox.advanceClock("P5D").status == 200)
            let expired = try await awaitStatus(api, id, "VOIDED", timeout: .seconds(20))
            #expect(expired.string("voidReason") == "EXPIRED", "\(expired.text)")
            #expect(try await Self.events(api, of: id)
                == ["payment-requested", "payment-succeeded", "payment-authorization-expiring", "payment-authorization-expired"])

            let capture = try await api.post("/payments/\(id)/capture", json: nil)
            #expect(capture.status == 409 && capture.text.contains("expired"), "\(capture.status) \(capture.text)")
            #expect(service.log().contains("/v1/payment_intents/\(intent)/confirm"), "the calls are in the log")
            #expect(!service.log().contains("\(intent)/capture") && !second.log().contains("\(intent)/capture"), "a capture was sent")
        }
    }

    @Test("EXPIRED_HOLD_POLICY=void releases a hold an hour before its deadline (EXPIRY_POLICY, payment-voided); a client void says CLIENT")
    func voidPolicy() async throws {
        try await Stack.withService(webhooks: true, extra: ["EXPIRED_HOLD_POLICY": "void"]) { stack, service in
            let api = stack.client(service)
            let near = try #require(try await Self.authorized(api).string("paymentId"))
            let far = try #require(try await Self.authorized(api).string("paymentId"))
            // Time passes for the service: the recorded deadline comes within the hour.
            _ = try await stack.database.column(
                "UPDATE payments SET authorization_expires_at = clock_timestamp() + interval '30 minutes' WHERE id = \(near) RETURNING id")
            let voided = try await awaitStatus(api, near, "VOIDED", timeout: .seconds(20))
            #expect(voided.string("voidReason") == "EXPIRY_POLICY", "\(voided.text)")
            #expect(try await Self.events(api, of: near)
                == ["payment-requested", "payment-succeeded", "payment-authorization-expiring", "payment-voided"])
            let intents = try await stack.ledgerIntents()[near] ?? []
            #expect(intents.map { $0["status"] as? String } == ["canceled"], "\(intents)")
            #expect(intents.first?["cancellation_reason"] as? String != "automatic", "\(intents)")
            #expect(try await api.get("/payments/\(far)").string("status") == "AUTHORIZED", "a hold far from its deadline is left")

            let client = try await api.post("/payments/\(far)/void", json: nil, headers: Self.wait)
            #expect(client.string("voidReason") == "CLIENT", "\(client.text)")
        }
    }

    static func rfc3339(_ seconds: Int) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
