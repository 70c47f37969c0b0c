import Payments

/// The hold a deliverer has on one endpoint: one instance pushes to an endpoint at a time, in order. Every write
/// of its effects names the generation it claimed and the cursor version it read, so a deliverer whose lease was
/// taken over, or whose endpoint was replayed or deleted meanwhile, writes nothing.
public struct EndpointLease: Sendable, Equatable {
    public var endpointId: String
    public var generation: Int
    public var cursorVersion: Int
}

/// An endpoint claimed for delivery, with what its deliverer needs.
public struct ClaimedEndpoint: Sendable, Equatable {
    public var lease: EndpointLease
    public var url: String
    public var events: EventSelection
    public var secrets: SigningSecrets
    public var cursor: EventCursor
    public var delivery: EndpointDelivery
    /// Its next cursor event is due (else only its waiting redeliveries are).
    public var due: Bool
}

/// An operator's redelivery waiting for its one attempt.
public struct PendingRedelivery: Sendable, Equatable {
    public var id: Int
    public var event: FeedEvent
}

extension Database {
    /// Leases up to `limit` enabled endpoints that have something to send: a due cursor event (at `now`, unix
    /// seconds of the deliverer's clock) or a waiting redelivery. Skips those another deliverer holds.
    public func claimWebhookEndpoints(owner: String, now: Int, limit: Int, lease: Duration) async throws(StoreError) -> [ClaimedEndpoint] {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute(
                """
                UPDATE webhook_endpoints SET lease_owner = \(owner), lease_generation = lease_generation + 1,
                  lease_until = clock_timestamp() + make_interval(secs => \(lease.seconds)::double precision)
                WHERE id IN (
                  SELECT id FROM webhook_endpoints c
                  WHERE enabled AND (lease_until IS NULL OR lease_until < clock_timestamp()) AND (
                    (next_attempt_at <= \(now)::bigint AND EXISTS (
                      SELECT 1 FROM events e WHERE (e.xid, e.seq) > (c.cursor_xid, c.cursor_seq) AND e.xid < pg_snapshot_xmin(pg_current_snapshot())))
                    OR EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.endpoint_id = c.id AND d.redelivery AND d.status = 'pending'))
                  ORDER BY next_attempt_at LIMIT \(limit)::int FOR UPDATE SKIP LOCKED)
                RETURNING id, url, array_to_string(events, ',') AS events, secret, previous_secret, previous_secret_until,
                  cursor_xid::text AS cursor_xid, cursor_seq, cursor_version, failures, failing_since, lease_generation,
                  next_attempt_at <= \(now)::bigint AS due
                """
            ).rows.map { row throws(StoreError) in try ClaimedEndpointRow.decode(row) }
        }
    }

    /// The endpoint's waiting redeliveries, oldest first, with their events.
    public func pendingRedeliveries(of lease: EndpointLease, limit: Int = 20) async throws(StoreError) -> [PendingRedelivery] {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute(
                """
                SELECT d.id, e.xid::text AS xid, e.seq, e.type, rfc3339(e.occurred_at) AS occurred_at, e.data
                FROM webhook_deliveries d JOIN events e ON e.seq = d.event_seq
                WHERE d.endpoint_id = \(lease.endpointId)::uuid AND d.redelivery AND d.status = 'pending' ORDER BY d.id LIMIT \(limit)::int
                """
            ).rows.map { row throws(StoreError) in PendingRedelivery(id: try row.requiredInt("id"), event: try FeedEventRow.decode(row)) }
        }
    }

    /// Records a redelivery's attempt and extends the lease, while the lease holds (false when it does not). Run again
    /// after a lost COMMIT, it finds the row it ended.
    public func recordRedelivery(_ id: Int, of lease: EndpointLease, _ attempt: DeliveryAttempt, extending: Duration) async throws(StoreError) -> Bool {
        let status: WebhookDelivery.Status = attempt.outcome == .accepted ? .delivered : .failed
        let recognise: Rerun<Bool> = .whenRecognised { tx throws(StoreError) in
            try tx.execute("SELECT 1 FROM webhook_deliveries WHERE id = \(id)::bigint AND status <> 'pending'").isEmpty ? nil : true
        }
        return try await withConnection(rerun: recognise) { tx throws(StoreError) in
            try tx.execute(
                """
                WITH held AS (
                  UPDATE webhook_endpoints SET lease_until = clock_timestamp() + make_interval(secs => \(extending.seconds)::double precision)
                  WHERE id = \(lease.endpointId)::uuid AND lease_generation = \(lease.generation)::bigint RETURNING id
                )
                UPDATE webhook_deliveries SET status = \(status), attempts = attempts + 1, last_status = \(attempt.status)::int,
                  last_error = \(attempt.error), last_attempt_at = clock_timestamp(), updated_at = clock_timestamp()
                WHERE id = \(id)::bigint AND status = 'pending' AND endpoint_id IN (SELECT id FROM held)
                """
            ).affectedRows == 1
        }
    }

    /// Moves the cursor over events the endpoint does not receive (any more: its types changed), and extends the lease;
    /// false when the lease or the cursor version no longer holds. An event it was held on is among them: its retry
    /// schedule ends, and so does its log row (`failed`, saying why).
    public func passOver(to cursor: EventCursor, of lease: EndpointLease, extending: Duration) async throws(StoreError) -> Bool {
        try await transaction(rerun: .asIs) { tx throws(StoreError) in
            let moved = try tx.execute(
                """
                UPDATE webhook_endpoints SET cursor_xid = \(String(cursor.xid))::xid8, cursor_seq = \(String(cursor.seq))::bigint,
                  failures = 0, failing_since = NULL, next_attempt_at = 0,
                  lease_until = clock_timestamp() + make_interval(secs => \(extending.seconds)::double precision)
                WHERE id = \(lease.endpointId)::uuid AND \(EndpointLease.fence(lease))
                """
            ).affectedRows == 1
            guard moved else { return false }
            try tx.endPassedOver(of: lease.endpointId, through: cursor)
            return true
        }
    }

    /// Records an attempt at the endpoint's head event and what it decided, in one transaction: the endpoint's
    /// cursor and schedule, the delivery log's row, and the audit row when the endpoint is disabled. False (and
    /// nothing written) when the lease or the cursor version no longer holds. An advance keeps the lease (extended);
    /// a retry or a disable gives it up. Run again after a lost COMMIT, it recognises the endpoint as its own commit
    /// left it (still under its lease generation), and writes nothing twice.
    public func recordAttempt(
        on event: FeedEvent, of lease: EndpointLease, _ attempt: DeliveryAttempt, decided action: EndpointDelivery.Action,
        delivery: EndpointDelivery, extending: Duration
    ) async throws(StoreError) -> Bool {
        let recognise: Rerun<Bool> = .whenRecognised { tx throws(StoreError) in
            try tx.recognises(action, on: event, of: lease, delivery: delivery) ? true : nil
        }
        return try await transaction(rerun: recognise) { tx throws(StoreError) in
            let moved = try tx.execute(
                """
                UPDATE webhook_endpoints SET \(EndpointLease.effect(of: action, on: event, delivery: delivery, extending: extending)),
                  updated_at = clock_timestamp()
                WHERE id = \(lease.endpointId)::uuid AND \(EndpointLease.fence(lease))
                """
            ).affectedRows == 1
            guard moved else { return false }
            if action == .advance { try tx.endPassedOver(of: lease.endpointId, through: event.id) }
            try tx.logAttempt(on: event, endpoint: lease.endpointId, attempt, ended: action)
            if case .disable = action {
                try tx.appendAudit(AuditEntry(.webhookDelivery, .disableEndpoint, subject: lease.endpointId, statusBefore: "enabled", statusAfter: "disabled"))
                try tx.endRedeliveries(of: lease.endpointId)
            }
            return true
        }
    }

    /// Gives the lease up (the endpoint is free for the next claim, by any instance).
    public func release(_ lease: EndpointLease) async throws(StoreError) {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute(
                """
                UPDATE webhook_endpoints SET lease_owner = NULL, lease_until = NULL
                WHERE id = \(lease.endpointId)::uuid AND lease_generation = \(lease.generation)::bigint
                """)
        }
    }
}

extension EndpointLease {
    static func fence(_ lease: EndpointLease) -> SQL {
        "lease_generation = \(lease.generation)::bigint AND cursor_version = \(lease.cursorVersion)::bigint"
    }

    /// The SET list an attempt's decision writes.
    static func effect(of action: EndpointDelivery.Action, on event: FeedEvent, delivery: EndpointDelivery, extending: Duration) -> SQL {
        switch action {
        case .advance:
            """
            cursor_xid = \(String(event.id.xid))::xid8, cursor_seq = \(String(event.id.seq))::bigint, failures = 0, failing_since = NULL,
            next_attempt_at = 0, lease_until = clock_timestamp() + make_interval(secs => \(extending.seconds)::double precision)
            """
        case .retry(let at):
            """
            failures = \(delivery.failures)::int, failing_since = \(delivery.failingSince)::bigint, next_attempt_at = \(at)::bigint,
            lease_owner = NULL, lease_until = NULL
            """
        case .disable(let since):
            """
            enabled = false, failures = \(delivery.failures)::int, failing_since = \(since)::bigint, lease_owner = NULL, lease_until = NULL,
            disabled_reason = \("event \(event.id) was refused at every attempt since \(UnixTime.rfc3339(since)); the retry window ran out")
            """
        }
    }
}

extension Transaction {
    /// The endpoint is as `action` left it, under this lease's generation: the first run's commit landed.
    func recognises(_ action: EndpointDelivery.Action, on event: FeedEvent, of lease: EndpointLease, delivery: EndpointDelivery) throws(StoreError) -> Bool {
        let state: SQL =
            switch action {
            case .advance: "cursor_xid = \(String(event.id.xid))::xid8 AND cursor_seq = \(String(event.id.seq))::bigint"
            case .retry(let at): "lease_until IS NULL AND next_attempt_at = \(at)::bigint AND failures = \(delivery.failures)::int"
            case .disable: "NOT enabled"
            }
        return !(try execute(
            "SELECT 1 FROM webhook_endpoints WHERE id = \(lease.endpointId)::uuid AND lease_generation = \(lease.generation)::bigint AND \(state)"
        ).isEmpty)
    }

    /// The log rows of events the cursor moved past unsent (their types were dropped from the endpoint's) end `failed`.
    func endPassedOver(of endpoint: String, through cursor: EventCursor) throws(StoreError) {
        try execute(
            """
            UPDATE webhook_deliveries SET status = 'failed', last_error = 'passed over: no longer one of the endpoint''s types',
              updated_at = clock_timestamp()
            WHERE endpoint_id = \(endpoint)::uuid AND NOT redelivery AND status = 'pending'
              AND (event_xid, event_seq) <= (\(String(cursor.xid))::xid8, \(String(cursor.seq))::bigint)
            """)
    }

    /// A disabled endpoint sends nothing: its waiting redeliveries end `failed`.
    func endRedeliveries(of endpoint: String) throws(StoreError) {
        try execute(
            """
            UPDATE webhook_deliveries SET status = 'failed', last_error = 'the endpoint was disabled', updated_at = clock_timestamp()
            WHERE endpoint_id = \(endpoint)::uuid AND redelivery AND status = 'pending'
            """)
    }

    /// The cursor's log row of `event` for the endpoint: created at its first attempt, counting each one after.
    func logAttempt(on event: FeedEvent, endpoint: String, _ attempt: DeliveryAttempt, ended action: EndpointDelivery.Action) throws(StoreError) {
        let status: WebhookDelivery.Status =
            switch action {
            case .advance: .delivered
            case .retry: .pending
            case .disable: .failed
            }
        try execute(
            """
            INSERT INTO webhook_deliveries AS d (endpoint_id, event_xid, event_seq, event_type, status, attempts, last_status, last_error, last_attempt_at)
            VALUES (\(endpoint)::uuid, \(String(event.id.xid))::xid8, \(String(event.id.seq))::bigint, \(event.type), \(status), 1,
                    \(attempt.status)::int, \(attempt.error), clock_timestamp())
            ON CONFLICT (endpoint_id, event_seq) WHERE NOT redelivery DO UPDATE SET status = EXCLUDED.status, attempts = d.attempts + 1,
              last_status = EXCLUDED.last_status, last_error = EXCLUDED.last_error, last_attempt_at = EXCLUDED.last_attempt_at,
              updated_at = clock_timestamp()
            """)
    }
}

enum ClaimedEndpointRow {
    static func decode(_ row: PGRow) throws(StoreError) -> ClaimedEndpoint {
        let names = try row.requiredString("events").split(separator: ",").map(String.init)
        guard let events = EventSelection(names: names), let xid = UInt64(try row.requiredString("cursor_xid")) else {
            throw StoreError(.unexpectedResult, "a claimed endpoint with unknown event types or a malformed cursor")
        }
        let lease = EndpointLease(
            endpointId: try row.requiredString("id"), generation: try row.requiredInt("lease_generation"),
            cursorVersion: try row.requiredInt("cursor_version"))
        let secrets = SigningSecrets(
            current: try row.requiredString("secret"), previous: try row.string("previous_secret"), previousUntil: try row.int("previous_secret_until"))
        return ClaimedEndpoint(
            lease: lease, url: try row.requiredString("url"), events: events, secrets: secrets,
            cursor: EventCursor(xid: xid, seq: Int64(try row.requiredInt("cursor_seq"))),
            delivery: EndpointDelivery(failures: try row.requiredInt("failures"), failingSince: try row.int("failing_since")),
            due: try row.bool("due"))
    }
}
