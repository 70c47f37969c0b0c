import Payments

/// The operator's side of pushed webhooks: endpoints created, read, changed, rotated, replayed and deleted, each
/// with its audit row in the same transaction, and the delivery log.
extension Database {
    /// The new endpoint starts at the feed's head: it receives the events committed from now on (`replay` moves it back).
    public func createWebhookEndpoint(
        id: String, url: String, events: EventSelection, description: String?, secret: String, by attribution: Attribution
    ) async throws(StoreError) -> WebhookEndpoint {
        try await transaction(rerun: .whenRecognised { tx throws(StoreError) in try tx.webhookEndpoint(id: id) }) { tx throws(StoreError) in
            let row = try tx.execute(
                """
                WITH head AS (
                  SELECT xid, seq FROM events WHERE xid < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY xid DESC, seq DESC LIMIT 1
                )
                INSERT INTO webhook_endpoints (id, url, events, description, secret, cursor_xid, cursor_seq, created_by)
                SELECT \(id)::uuid, \(url), \(array: events.names)::text[], \(description), \(secret),
                       coalesce((SELECT xid FROM head), '0'::xid8), coalesce((SELECT seq FROM head), 0), \(attribution.actor)
                RETURNING \(unescaped: WebhookEndpointRow.columns)
                """)[0]
            let endpoint = try WebhookEndpointRow.decode(row)
            try tx.appendAudit(.endpoint(endpoint.id, attribution, .subscribe, before: nil, after: endpoint))
            return endpoint
        }
    }

    public func webhookEndpoints() async throws(StoreError) -> [WebhookEndpoint] {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute("SELECT \(unescaped: WebhookEndpointRow.columns) FROM webhook_endpoints ORDER BY created_at, id")
                .rows.map { row throws(StoreError) in try WebhookEndpointRow.decode(row) }
        }
    }

    public func webhookEndpoint(id: String) async throws(StoreError) -> WebhookEndpoint? {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in try tx.webhookEndpoint(id: id) }
    }

    /// Nil when there is none. A new URL or new types, or enabling a disabled endpoint, start its retry schedule afresh,
    /// so the event it is held on is tried again at once (or passed over, when its type is no longer wanted). Any change of the URL, the types or `enabled` fences a delivery in
    /// flight (`cursor_version`): what it sent is sent again under the new settings.
    public func updateWebhookEndpoint(id: String, _ change: WebhookEndpointChange, by attribution: Attribution) async throws(StoreError) -> WebhookEndpoint? {
        try await transaction(rerun: .asIs) { tx throws(StoreError) in
            guard let before = try tx.webhookEndpoint(id: id, locked: true) else { return nil }
            let afresh = (change.url.map { $0 != before.url } ?? false) || (change.enabled == true && !before.enabled)
                || (change.events.map { $0 != before.events } ?? false)
            // A delivery in flight stops at its next record: it may be going to the old URL or for a type no longer wanted.
            let changed = afresh || change.enabled == false
            let description = change.description.map { $0 ?? "" }
            let row = try tx.execute(
                """
                UPDATE webhook_endpoints SET url = coalesce(\(change.url)::text, url),
                  events = coalesce(\(change.events.map { PGArray.literal($0.names) })::text[], events),
                  description = CASE WHEN \(description)::text IS NULL THEN description ELSE nullif(\(description)::text, '') END,
                  enabled = coalesce(\(change.enabled)::boolean, enabled),
                  disabled_reason = CASE WHEN coalesce(\(change.enabled)::boolean, enabled) THEN NULL ELSE disabled_reason END,
                  failures = CASE WHEN \(afresh)::boolean THEN 0 ELSE failures END,
                  failing_since = CASE WHEN \(afresh)::boolean THEN NULL ELSE failing_since END,
                  next_attempt_at = CASE WHEN \(afresh)::boolean THEN 0 ELSE next_attempt_at END,
                  cursor_version = cursor_version + CASE WHEN \(changed)::boolean THEN 1 ELSE 0 END,
                  updated_at = clock_timestamp()
                WHERE id = \(id)::uuid RETURNING \(unescaped: WebhookEndpointRow.columns)
                """)[0]
            let endpoint = try WebhookEndpointRow.decode(row)
            try tx.appendAudit(.endpoint(id, attribution, .updateEndpoint, before: before, after: endpoint))
            if !endpoint.enabled { try tx.endRedeliveries(of: id) }
            return endpoint
        }
    }

    /// False when there was none. Its delivery log goes with it; its audit rows stay.
    /// Run again after a lost COMMIT, it finds the endpoint gone with its `unsubscribe` row, and answers as deleted.
    public func deleteWebhookEndpoint(id: String, by attribution: Attribution) async throws(StoreError) -> Bool {
        let recognise: Rerun<Bool> = .whenRecognised { tx throws(StoreError) in
            try tx.execute("SELECT 1 FROM audit_log WHERE subject = \(id) AND action = 'unsubscribe'").isEmpty ? nil : true
        }
        return try await transaction(rerun: recognise) { tx throws(StoreError) in
            guard let before = try tx.webhookEndpoint(id: id, locked: true) else { return false }
            try tx.execute("DELETE FROM webhook_endpoints WHERE id = \(id)::uuid")
            try tx.appendAudit(.endpoint(id, attribution, .unsubscribe, before: before, after: nil))
            return true
        }
    }

    /// `secret` signs from now on; the one it replaces signs beside it until `previousUntil` (unix seconds), and only
    /// that one: a rotation during another's overlap ends the older secret at once. Nil when there is no such
    /// endpoint. A delivery in flight stops at its next record (`cursor_version`), so the old secrets sign nothing
    /// more than the request already sent. Run again after a lost COMMIT, it recognises its own new secret.
    public func rotateWebhookSecret(
        id: String, secret: String, previousUntil: Int, by attribution: Attribution
    ) async throws(StoreError) -> WebhookEndpoint? {
        let recognise: Rerun<WebhookEndpoint?> = .whenRecognised { tx throws(StoreError) in
            let current = try tx.execute("SELECT 1 FROM webhook_endpoints WHERE id = \(id)::uuid AND secret = \(secret)")
            return current.isEmpty ? nil : try tx.webhookEndpoint(id: id)
        }
        return try await transaction(rerun: recognise) { tx throws(StoreError) in
            let rows = try tx.execute(
                """
                UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_until = \(previousUntil)::bigint, secret = \(secret),
                  cursor_version = cursor_version + 1, updated_at = clock_timestamp()
                WHERE id = \(id)::uuid RETURNING \(unescaped: WebhookEndpointRow.columns)
                """).rows
            guard let row = rows.first else { return nil }
            let endpoint = try WebhookEndpointRow.decode(row)
            try tx.appendAudit(.endpoint(id, attribution, .rotateSecret, before: endpoint, after: endpoint))
            return endpoint
        }
    }

    public enum ReplayOutcome: Sendable, Equatable {
        case notFound
        /// The cursor asked for is ahead of the endpoint's: moving it there would skip events.
        case ahead(current: String)
        case moved(WebhookEndpoint)
    }

    /// Moves the endpoint's cursor back to `cursor`: it receives every event after it again, in order. A delivery
    /// in flight when it moves can record nothing (`cursor_version`): what it sent is sent again after the replay.
    public func replayWebhookEndpoint(id: String, after cursor: EventCursor, by attribution: Attribution) async throws(StoreError) -> ReplayOutcome {
        try await transaction(rerun: .asIs) { tx throws(StoreError) in
            guard let before = try tx.webhookEndpoint(id: id, locked: true) else { return .notFound }
            let rows = try tx.execute(
                """
                UPDATE webhook_endpoints SET cursor_xid = \(String(cursor.xid))::xid8, cursor_seq = \(String(cursor.seq))::bigint,
                  cursor_version = cursor_version + 1, failures = 0, failing_since = NULL, next_attempt_at = 0, updated_at = clock_timestamp()
                WHERE id = \(id)::uuid AND (cursor_xid, cursor_seq) >= (\(String(cursor.xid))::xid8, \(String(cursor.seq))::bigint)
                RETURNING \(unescaped: WebhookEndpointRow.columns)
                """).rows
            guard let row = rows.first else { return .ahead(current: before.cursor) }
            let endpoint = try WebhookEndpointRow.decode(row)
            try tx.appendAudit(.endpoint(id, attribution, .replay, before: before, after: endpoint))
            return .moved(endpoint)
        }
    }

    public enum RedeliveryOutcome: Sendable, Equatable {
        case noEndpoint
        case noEvent
        /// A disabled endpoint sends nothing, a redelivery included; or the event is not one of its types.
        case refused(String)
        case queued(WebhookDelivery)
    }

    /// Queues one event to be sent to the endpoint again, out of band (the cursor does not move), marked as a
    /// redelivery; the endpoint's deliverer sends it before its next cursor event. Run again after a lost COMMIT it
    /// may queue a second one: the receiver sees the event once more, with the same id (at least once).
    public func requestRedelivery(endpointId: String, event: EventCursor, by attribution: Attribution) async throws(StoreError) -> RedeliveryOutcome {
        try await transaction(rerun: .asIs) { tx throws(StoreError) in
            guard let endpoint = try tx.webhookEndpoint(id: endpointId) else { return .noEndpoint }
            let found = try tx.execute(
                "SELECT type FROM events WHERE seq = \(String(event.seq))::bigint AND xid = \(String(event.xid))::xid8").rows
            guard let type = try found.first?.requiredString("type") else { return .noEvent }
            guard endpoint.enabled else { return .refused("the endpoint is disabled: enable it first") }
            guard endpoint.events.includes(type) else { return .refused("the endpoint does not receive \(type) events") }
            let row = try tx.execute(
                """
                INSERT INTO webhook_deliveries (endpoint_id, event_xid, event_seq, event_type, redelivery, status, requested_by)
                VALUES (\(endpointId)::uuid, \(String(event.xid))::xid8, \(String(event.seq))::bigint, \(type), true, 'pending', \(attribution.actor))
                RETURNING \(unescaped: WebhookDeliveryRow.columns)
                """)[0]
            try tx.appendAudit(.endpoint(endpointId, attribution, .redeliver, before: endpoint, after: endpoint))
            return .queued(try WebhookDeliveryRow.decode(row))
        }
    }

    /// The endpoint's delivery log, newest first, before the row `before`; nil when there is no such endpoint.
    public func webhookDeliveries(endpointId: String, before: Int?, limit: Int) async throws(StoreError) -> [WebhookDelivery]? {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            guard try tx.webhookEndpoint(id: endpointId) != nil else { return nil }
            return try tx.execute(
                """
                SELECT \(unescaped: WebhookDeliveryRow.columns) FROM webhook_deliveries
                WHERE endpoint_id = \(endpointId)::uuid AND id < \(before ?? Int(Int64.max))::bigint ORDER BY id DESC LIMIT \(limit)::int
                """
            ).rows.map { row throws(StoreError) in try WebhookDeliveryRow.decode(row) }
        }
    }
}

extension Transaction {
    func webhookEndpoint(id: String, locked: Bool = false) throws(StoreError) -> WebhookEndpoint? {
        let lock = locked ? " FOR UPDATE" : ""
        return try execute("SELECT \(unescaped: WebhookEndpointRow.columns) FROM webhook_endpoints WHERE id = \(id)::uuid\(unescaped: lock)")
            .rows.first.map { row throws(StoreError) in try WebhookEndpointRow.decode(row) }
    }
}

extension AuditEntry {
    /// An endpoint's audit row: its id is both subject and "payment" (`GET /audit?subject=<endpoint id>` finds it);
    /// the statuses are `enabled` or `disabled`.
    static func endpoint(
        _ id: String, _ attribution: Attribution, _ action: AuditAction, before: WebhookEndpoint?, after: WebhookEndpoint?
    ) -> AuditEntry {
        AuditEntry(attribution, action, subject: id, statusBefore: before?.state, statusAfter: after?.state)
    }
}

extension WebhookEndpoint {
    fileprivate var state: String { enabled ? "enabled" : "disabled" }
}

enum WebhookEndpointRow {
    static let columns = """
        id, url, array_to_string(events, ',') AS events, description, enabled, disabled_reason,
        cursor_xid::text || '-' || cursor_seq AS cursor, failures,
        CASE WHEN failures > 0 THEN rfc3339(to_timestamp(next_attempt_at)) END AS next_attempt_at,
        rfc3339(created_at) AS created_at, rfc3339(updated_at) AS updated_at
        """

    static func decode(_ row: PGRow) throws(StoreError) -> WebhookEndpoint {
        let names = try row.requiredString("events").split(separator: ",").map(String.init)
        guard let events = EventSelection(names: names) else { throw StoreError(.unexpectedResult, "an endpoint with unknown event types") }
        return WebhookEndpoint(
            id: try row.requiredString("id"), url: try row.requiredString("url"), events: events, description: try row.string("description"),
            enabled: try row.bool("enabled"), disabledReason: try row.string("disabled_reason"), cursor: try row.requiredString("cursor"),
            failures: try row.requiredInt("failures"), nextAttemptAt: try row.string("next_attempt_at"),
            createdAt: try row.requiredString("created_at"), updatedAt: try row.requiredString("updated_at"))
    }
}

enum WebhookDeliveryRow {
    static let columns = """
        id, endpoint_id, event_xid::text || '-' || event_seq AS event_id, event_type, redelivery, status, attempts, last_status,
        last_error, rfc3339(last_attempt_at) AS last_attempt_at, rfc3339(created_at) AS created_at
        """

    static func decode(_ row: PGRow) throws(StoreError) -> WebhookDelivery {
        WebhookDelivery(
            id: try row.requiredInt("id"), endpointId: try row.requiredString("endpoint_id"), eventId: try row.requiredString("event_id"),
            eventType: try row.requiredString("event_type"), redelivery: try row.bool("redelivery"),
            status: try row.required("status", as: WebhookDelivery.Status.self), attempts: try row.requiredInt("attempts"),
            lastStatus: try row.int("last_status"), lastError: try row.string("last_error"), lastAttemptAt: try row.string("last_attempt_at"),
            createdAt: try row.requiredString("created_at"))
    }
}
