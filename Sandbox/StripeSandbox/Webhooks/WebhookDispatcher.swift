import Logging
import StripeGateway

/// Sends each event to the webhook endpoint, signed like Stripe, over the gateway's libcurl client.
/// Attempts that get no 2xx are retried (1 s doubling, `Webhook.maxAttempts` in all). All waiting
/// and sending runs as `BackgroundWork` jobs, i.e. child tasks of the service's `run()`.
struct WebhookDispatcher: EventPublishing {
    let url: String
    let secrets: [String]
    let client: CurlHTTPClient
    let faults: FaultInjector
    let background: BackgroundWork
    let logger: Logger

    func publish(_ type: String, _ object: JSONValue, created: Int) {
        let event = WebhookEvent(type: type, object: object, created: created)
        background.schedule { await self.dispatch(event) }
    }

    func publishInOrder(_ events: [(type: String, object: JSONValue)], created: Int) {
        let rendered = events.map { WebhookEvent(type: $0.type, object: $0.object, created: created) }
        background.schedule {
            for event in rendered { await self.dispatch(event, inOrder: true) }
        }
    }

    /// `inOrder`: the first attempt is awaited (when no delay is drawn), so the next event waits for it.
    private func dispatch(_ event: WebhookEvent, inOrder: Bool = false) async {
        let faults = await faults.decideWebhook()
        if faults.dropped { return }
        if inOrder && faults.delay == .zero {
            await attempt(event, number: 1, skip: faults.dropFirst)
        } else {
            background.schedule(after: faults.delay) { await self.attempt(event, number: 1, skip: faults.dropFirst) }
        }
        if faults.duplicate {
            background.schedule(after: faults.delay + .milliseconds(50)) { await self.attempt(event, number: 1, skip: false) }
        }
    }

    /// `skip`: the `webhook_drop_first` fault, which loses this attempt as if the endpoint had failed.
    private func attempt(_ event: WebhookEvent, number: Int, skip: Bool) async {
        let delivered = skip ? false : await deliver(event, attempt: number)
        guard !delivered else { return }
        guard number < Webhook.maxAttempts else {
            logger.warning("webhook given up", metadata: ["event": "\(event.id)", "type": "\(event.type)"])
            return
        }
        let wait = Duration.seconds(1 << (number - 1))
        background.schedule(after: wait) { await self.attempt(event, number: number + 1, skip: false) }
    }

    private func deliver(_ event: WebhookEvent, attempt: Int) async -> Bool {
        var headers = [
            ("Content-Type", "application/json; charset=utf-8"),
            ("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)"),
            ("Cache-Control", "no-cache"),
        ]
        if !secrets.isEmpty {
            let signature = WebhookSignature.header(payload: event.payload, secrets: secrets, timestamp: SandboxState.realNow)
            headers.append(("Stripe-Signature", signature))
        }
        let request = CurlRequest(method: "POST", url: url, headers: headers, body: event.payload)
        let metadata: Logger.Metadata = ["event": "\(event.id)", "type": "\(event.type)", "attempt": "\(attempt)"]
        do {
            let response = try await client.send(request)
            guard (200..<300).contains(response.status) else {
                logger.debug("webhook refused", metadata: metadata.merging(["status": "\(response.status)"]) { $1 })
                return false
            }
            logger.trace("webhook delivered", metadata: metadata)
            return true
        } catch {
            logger.debug("webhook not delivered", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            return false
        }
    }
}
