import Foundation
import Payments
import Store
import StripeGateway

/// One push of one event: the Event as the body, `Payment-Event-Id`, `Payment-Event-Type` and
/// `Payment-Signature` (Stripe's scheme, signed anew at each attempt with its own time, by every secret that
/// signs now), `Payment-Redelivery: true` on an operator's redelivery.
struct WebhookPost {
    static let userAgent = "payment-api-webhooks/1"

    let http: CurlHTTPClient

    func send(_ event: FeedEvent, to url: String, secrets: SigningSecrets, redelivery: Bool = false) async -> DeliveryAttempt {
        let started = ContinuousClock.now
        let attempt = await attempt(event, url, secrets, redelivery)
        WebhookDeliveryMetrics.record(attempt, redelivery: redelivery, took: ContinuousClock.now - started)
        return attempt
    }

    private func attempt(_ event: FeedEvent, _ url: String, _ secrets: SigningSecrets, _ redelivery: Bool) async -> DeliveryAttempt {
        let body = Array(event.json.utf8)
        let now = Int(Date().timeIntervalSince1970)
        var headers = [
            ("Content-Type", "application/json"), ("User-Agent", Self.userAgent), ("Payment-Event-Id", event.id.description),
            ("Payment-Event-Type", event.type),
            ("Payment-Signature", WebhookSignature.header(payload: body, secrets: secrets.signing(at: now), timestamp: now)),
        ]
        if redelivery { headers.append(("Payment-Redelivery", "true")) }
        do {
            let answer = try await http.send(CurlRequest(method: "POST", url: url, headers: headers, body: body))
            return DeliveryAttempt(status: answer.status, error: (200...299).contains(answer.status) ? nil : "answered \(answer.status)")
        } catch {
            return DeliveryAttempt(status: nil, error: error.description)
        }
    }
}
