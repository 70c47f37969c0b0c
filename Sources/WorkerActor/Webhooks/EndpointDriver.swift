import Logging
import Payments
import ServiceLifecycle
import Store

/// Pushes one claimed endpoint's work, one request at a time: its waiting redeliveries, then (when due) its
/// events after the cursor in feed order, until one is refused, the claim's share is sent, or the feed is
/// caught up, or the process shuts down. Every attempt is recorded under the lease before the next is sent; a lease
/// that no longer holds ends the drive (another deliverer, a replay, a change of the endpoint or its deletion).
struct EndpointDriver: Sendable {
    let database: Database
    let post: WebhookPost
    let configuration: WebhookDeliveryConfiguration
    let logger: Logger

    func drive(_ endpoint: ClaimedEndpoint) async {
        do {
            guard try await redeliver(endpoint) else { return }
            let end: End = endpoint.due ? try await deliver(endpoint) : .holdingLease
            if end == .holdingLease { try await database.release(endpoint.lease) }
        } catch {
            // The lease runs out and the endpoint is claimed again; an attempt whose record was lost is sent again.
            logger.warning("webhook delivery interrupted", metadata: ["endpoint": "\(endpoint.lease.endpointId)", "error": "\(error)"])
        }
    }

    /// False when the lease was lost.
    private func redeliver(_ endpoint: ClaimedEndpoint) async throws(StoreError) -> Bool {
        for waiting in try await database.pendingRedeliveries(of: endpoint.lease) {
            let attempt = await post.send(waiting.event, to: endpoint.url, secrets: endpoint.secrets, redelivery: true)
            guard try await database.recordRedelivery(waiting.id, of: endpoint.lease, attempt, extending: configuration.lease) else {
                try await database.release(endpoint.lease)
                return false
            }
        }
        return true
    }

    /// How a drive ended: still holding its lease, which it gives back (a fenced lease too: `release` names its
    /// generation, so it frees nothing another deliverer holds), or with the lease already given up by its last record.
    enum End { case holdingLease, leaseGivenUp }

    private func deliver(_ endpoint: ClaimedEndpoint) async throws(StoreError) -> End {
        var cursor = endpoint.cursor
        var delivery = EndpointDelivery(failures: endpoint.delivery.failures, failingSince: endpoint.delivery.failingSince, schedule: configuration.schedule)
        var sent = 0
        // A graceful shutdown ends the drive after the request in flight: the rest waits for the next claim.
        while sent < configuration.eventsPerClaim, !Task.isShuttingDownGracefully {
            let page = try await database.events(after: cursor, limit: min(100, configuration.eventsPerClaim))
            guard let last = page.last else { return .holdingLease }
            let selected = page.filter { endpoint.events.includes($0.type) }
            if selected.isEmpty {
                guard try await database.passOver(to: last.id, of: endpoint.lease, extending: configuration.lease) else { return .holdingLease }
                cursor = last.id
                delivery = EndpointDelivery(failures: 0, failingSince: nil, schedule: configuration.schedule)
                continue
            }
            // The schedule read at the claim is the held event's: a first event that is not it starts afresh.
            if selected.first?.id != page.first?.id { delivery = EndpointDelivery(failures: 0, failingSince: nil, schedule: configuration.schedule) }
            for event in selected.prefix(configuration.eventsPerClaim - sent) where !Task.isShuttingDownGracefully {
                let attempt = await post.send(event, to: endpoint.url, secrets: endpoint.secrets)
                let action = delivery.attempted(attempt.outcome, at: configuration.clock(), jitter: configuration.jitter())
                let held = try await database.recordAttempt(
                    on: event, of: endpoint.lease, attempt, decided: action, delivery: delivery, extending: configuration.lease)
                // Fenced: a replay or a change of the endpoint (the lease is still ours, and given back at once), or
                // another deliverer took over (then the release finds another generation and does nothing).
                guard held else { return .holdingLease }
                sent += 1
                guard action == .advance else {
                    note(action, endpoint: endpoint, event: event, attempt: attempt)
                    return .leaseGivenUp
                }
                cursor = event.id
            }
        }
        return .holdingLease
    }

    private func note(_ action: EndpointDelivery.Action, endpoint: ClaimedEndpoint, event: FeedEvent, attempt: DeliveryAttempt) {
        let metadata: Logger.Metadata = [
            "endpoint": "\(endpoint.lease.endpointId)", "event": "\(event.id)", "error": "\(attempt.error ?? "")",
        ]
        if case .disable = action {
            WebhookDeliveryMetrics.disabled()
            logger.error("webhook endpoint disabled: its retry window ran out", metadata: metadata)
        } else {
            logger.info("webhook refused; retrying later", metadata: metadata)
        }
    }
}
