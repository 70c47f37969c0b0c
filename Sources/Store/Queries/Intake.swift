import Payments
import Support
import Telemetry

/// What recording an AuthorizePayment command came to.
public enum IntakeOutcome: Sendable {
    /// A new payment was committed, with its authorization operation (claimed by the worker, or born leased to it).
    case created(Payment, authorization: QueuedOperation)
    /// The same command was seen before: the payment as it stands.
    case replayed(Payment)
    /// Another command holds the cart (or the idempotency key).
    case conflict(String)
}

/// An `Idempotency-Key` in the caller's scope (a digest of the caller's token; never the token).
public struct IdempotencyKey: Sendable {
    public var scope: String
    public var key: String

    public init(scope: String, key: String) {
        self.scope = scope
        self.key = key
    }
}

/// One command of a group commit, with the id its payment gets if it is new and its `Idempotency-Key`, if any.
public struct IntakeCommand: Sendable {
    public var command: AuthorizeCommand
    public var newPaymentId: String
    public var idempotencyKey: IdempotencyKey?
    /// The worker lease a new payment's authorization is born with, dispatched (nil: queued for a claim).
    public var lease: WorkerLease?
    /// Who asked: the new payment's `createdBy`, its authorization's actor and its audit row.
    public var attribution: Attribution
    /// The trace of the request that sent the command (`Traces.currentTraceparent` in the request's task; the
    /// group commit runs in the intake's), which its authorization's spans join.
    public var traceparent: String?

    public init(
        _ command: AuthorizeCommand, newPaymentId: String, idempotencyKey: IdempotencyKey? = nil, lease: WorkerLease? = nil,
        attribution: Attribution = .unauthenticated, traceparent: String? = nil
    ) {
        self.command = command
        self.newPaymentId = newPaymentId
        self.idempotencyKey = idempotencyKey
        self.lease = lease
        self.attribution = attribution
        self.traceparent = traceparent
    }

    /// The authorization of this command's new payment, committed as operation `id`.
    public func authorization(_ id: Int, idempotencyKey: String) -> QueuedOperation {
        guard lease != nil else { return QueuedOperation(id: id) }
        return QueuedOperation(
            id: id,
            claimed: .bornLeased(id: id, paymentId: newPaymentId, idempotencyKey: idempotencyKey, command: command, traceparent: traceparent))
    }
}

/// What the intake actor commits through: `Database`, or a fake in the actor's unit tests.
public protocol IntakeStore: Sendable {
    /// Records commands together in one transaction (one commit). The carts must differ. An outcome is nil
    /// when another transaction took the cart meanwhile: submit that command again, alone.
    func recordRequested(batch: [IntakeCommand]) async throws(StoreError) -> [IntakeOutcome?]
    /// Records one command, keyed or not; races with other transactions are retried.
    func recordRequested(_ item: IntakeCommand) async throws(StoreError) -> IntakeOutcome
}

extension Database: IntakeStore {
    /// Each command a REQUESTED payment with its queued authorization under the "one live payment per cart"
    /// rules: the commands without a key in ONE statement, then each keyed one under its key's lock.
    public func recordRequested(batch: [IntakeCommand]) async throws(StoreError) -> [IntakeOutcome?] {
        let committed = Rerun<[IntakeOutcome?]>.whenRecognised { tx throws(StoreError) in try tx.committed(batch) }
        // Without keys the batch is one statement: it commits on its own, with no BEGIN and COMMIT round trips.
        guard batch.contains(where: { $0.idempotencyKey != nil }) else {
            return try await withConnection(rerun: committed) { tx throws(StoreError) in try tx.recordRequested(batch: batch) }
        }
        return try await transaction(rerun: committed) { tx throws(StoreError) in try tx.recordRequested(mixed: batch) }
    }

    public func recordRequested(_ item: IntakeCommand) async throws(StoreError) -> IntakeOutcome {
        for _ in 0..<5 {
            // A run after a lost COMMIT reply finds the payment its first run committed, and answers the same.
            let committed = Rerun<IntakeOutcome?>.whenRecognised { tx throws(StoreError) in try tx.committed([item])?[0] }
            let outcome = try await transaction(rerun: committed) { tx throws(StoreError) -> IntakeOutcome? in
                guard let idempotencyKey = item.idempotencyKey else { return try tx.recordRequested(batch: [item])[0] }
                return try tx.recordRequested(item, keyed: idempotencyKey)
            }
            if let outcome { return outcome }
        }
        throw StoreError(.serializationFailure, "cart \(item.command.cartId) kept changing under concurrent commands")
    }

    public func recordRequested(
        _ command: AuthorizeCommand, newPaymentId: String, idempotencyKey: IdempotencyKey?, attribution: Attribution = .unauthenticated
    ) async throws(StoreError) -> IntakeOutcome {
        try await recordRequested(IntakeCommand(
            command, newPaymentId: newPaymentId, idempotencyKey: idempotencyKey, attribution: attribution,
            traceparent: Traces.currentTraceparent))
    }
}

extension Transaction {
    /// One command under its `Idempotency-Key`: the key's payment when it matches, a conflict when it was used
    /// for another request, else the command decided and the key remembered with its payment.
    /// `keyLocked`: the caller holds the key's lock already (a group commit takes all of its keys' at once).
    func recordRequested(_ item: IntakeCommand, keyed key: IdempotencyKey, keyLocked: Bool = false) throws(StoreError) -> IntakeOutcome? {
        let fingerprint = "authorize " + item.command.canonicalForm
        if !keyLocked { try lockIdempotencyKeys([key]) }
        switch try lookUpIdempotencyKey(key, fingerprint: fingerprint) {
        case .matches(let id):
            guard let payment = try payment(id: id) else { throw StoreError(.unexpectedResult, "keyed payment missing") }
            return .replayed(payment)
        case .conflicts:
            return .conflict("this Idempotency-Key was used with a different request")
        case .new:
            let outcome = try recordRequested(batch: [item])[0]
            switch outcome {
            case .created(let payment, _), .replayed(let payment):
                try rememberIdempotencyKey(key, fingerprint: fingerprint, resource: payment.paymentId)
            case .conflict, nil:
                break
            }
            return outcome
        }
    }

    /// A group commit's commands in one transaction: every key's lock first, in one order (so batches that share
    /// keys or carts cannot deadlock on them), then those without a key in one statement, then each keyed one.
    func recordRequested(mixed batch: [IntakeCommand]) throws(StoreError) -> [IntakeOutcome?] {
        let keyed = batch.indices.compactMap { index in batch[index].idempotencyKey.map { (index, $0) } }
            .sorted { ($0.1.scope, $0.1.key) < ($1.1.scope, $1.1.key) }
        try lockIdempotencyKeys(keyed.map(\.1))
        let plain = batch.indices.filter { batch[$0].idempotencyKey == nil }
        var outcomes = [IntakeOutcome?](repeating: nil, count: batch.count)
        for (index, outcome) in zip(plain, try recordRequested(batch: plain.map { batch[$0] })) { outcomes[index] = outcome }
        for (index, key) in keyed {
            outcomes[index] = try recordRequested(batch[index], keyed: key, keyLocked: true)
        }
        return outcomes
    }

    /// The group-commit statement: decides every command against its cart's latest payment and inserts the
    /// new ones with their operations. The latest payment is looked up per command (LATERAL … LIMIT 1) so the
    /// generic plan of the prepared statement walks `payments_by_cart`; a semi-join here was planned as a
    /// hash join over a scan of the whole table, which grew with every payment. The partial unique index
    /// settles races with other transactions: a command that lost one comes back nil. A new payment's
    /// authorization whose command carries a lease is inserted leased and dispatched, with its `payment-requested`.
    func recordRequested(batch: [IntakeCommand]) throws(StoreError) -> [IntakeOutcome?] {
        guard !batch.isEmpty else { return [] }
        // Its events (`payment-requested` of the authorizations born leased) move no status: no waiter to wake.
        concernsNoWaiter()
        let rows = try execute(prepared: "authorize_batch", IntakeSQL.batch(batch)).rows
        var replayed: [String] = []
        for row in rows where try row.string("verdict") == "replayed" { replayed.append(try row.requiredString("payment_id")) }
        let existing = try replayed.isEmpty ? [:] : payments(ids: replayed)
        return try rows.map { row throws(StoreError) -> IntakeOutcome? in
            let index = try row.requiredInt("ord") - 1
            let item = batch[index]
            switch try row.string("verdict") {
            case "created":
                let at = try row.requiredString("created_at")
                let c = item.command
                return .created(Payment(
                    paymentId: item.newPaymentId, cartId: c.cartId, orderId: c.orderId, customerId: c.customerId, amount: c.amount,
                    currency: c.currency, status: .requested, capture: c.capture, createdAt: at, updatedAt: at, createdBy: item.attribution.actor),
                    authorization: item.authorization(try row.requiredInt("operation_id"), idempotencyKey: try row.requiredString("operation_key")))
            case "replayed":
                guard let payment = existing[try row.requiredString("payment_id")] else { return nil }
                return .replayed(payment)
            case "conflict":
                return .conflict("cart \(item.command.cartId) has a live payment (\(try row.string("payment_id") ?? "")) for a different command")
            default:
                return nil
            }
        }
    }

    /// After a lost reply, the batch's outcomes when its payments committed: each is answered as created, a
    /// command that created none is submitted again. Nil when none committed. An authorization born leased is
    /// handed over as such only while that lease is still the born one (ours, generation 1, queued) with half of
    /// it left; otherwise by id, and the worker claims it once that lease has expired.
    func committed(_ batch: [IntakeCommand]) throws(StoreError) -> [IntakeOutcome?]? {
        let ids = batch.map(\.newPaymentId)
        let committed = try payments(ids: ids)
        guard !committed.isEmpty else { return nil }
        var authorizations: [String: (id: Int, key: String, untouched: Bool, owner: String?, left: Double)] = [:]
        for row in try execute(
            """
            SELECT id, payment_id, idempotency_key, lease_owner,
                   lease_generation = 1 AND status = 'queued' AND lease_until > clock_timestamp() AS untouched,
                   extract(epoch FROM lease_until - clock_timestamp()) AS lease_left
            FROM operations WHERE payment_id = ANY(\(array: ids)::uuid[]) AND kind = 'authorize'
            """
        ).rows {
            let left = try row.string("lease_left").flatMap(Double.init) ?? 0
            authorizations[try row.requiredString("payment_id")] =
                (try row.requiredInt("id"), try row.requiredString("idempotency_key"), try row.bool("untouched"), try row.string("lease_owner"), left)
        }
        return batch.map { item in
            guard let payment = committed[item.newPaymentId], let operation = authorizations[item.newPaymentId] else { return nil }
            // With at least half its lease left, so the run's first beat comes in time.
            let leasedToUs = operation.untouched && operation.owner == item.lease?.owner
                && operation.left > (item.lease?.duration.seconds ?? 0) / 2
            let handed = leasedToUs ? item : IntakeCommand(
                item.command, newPaymentId: item.newPaymentId, attribution: item.attribution, traceparent: item.traceparent)
            return .created(payment, authorization: handed.authorization(operation.id, idempotencyKey: operation.key))
        }
    }

    func payments(ids: [String]) throws(StoreError) -> [String: Payment] {
        var byId: [String: Payment] = [:]
        for row in try execute("SELECT \(PaymentRow.columns) FROM payments p WHERE p.id = ANY(\(array: ids)::uuid[])").rows {
            let payment = try PaymentRow.decode(row)
            byId[payment.paymentId] = payment
        }
        return byId
    }
}

enum IntakeSQL {
    /// The statement for `batch`; its text is the same for every batch (the prepared `authorize_batch`).
    static func batch(_ batch: [IntakeCommand]) -> SQL {
        func column(_ value: (AuthorizeCommand) -> String?) -> [String?] { batch.map { value($0.command) } }
        return """
        WITH input AS (
          SELECT * FROM unnest(\(array: batch.map(\.newPaymentId))::uuid[], \(array: column(\.cartId))::uuid[],
                               \(array: column(\.orderId))::uuid[], \(array: column(\.customerId))::uuid[],
                               \(array: column { String($0.amount) })::bigint[], \(array: column(\.currency))::text[],
                               \(array: column(\.capture.rawValue))::text[], \(array: column(\.paymentMethod))::text[],
                               \(array: column { JSONString.object($0.metadata) })::text[], \(array: column(\.canonicalForm))::text[],
                               \(array: column { String($0.customerPresent) })::boolean[])
            WITH ORDINALITY AS t(id, cart_id, order_id, customer_id, amount, currency, capture_mode, payment_method,
                                 metadata, command, customer_present, ord)
        ), leases AS (
          SELECT * FROM unnest(\(array: batch.map(\.newPaymentId))::uuid[], \(array: batch.map { $0.lease?.owner })::text[],
                               \(array: batch.map { $0.lease.map { String($0.duration.seconds) } })::float8[]) AS l(id, owner, seconds)
        ), attributions AS (
          SELECT * FROM unnest(\(array: batch.map(\.newPaymentId))::uuid[], \(array: batch.map(\.attribution.actor))::text[],
                               \(array: batch.map(\.attribution.reason))::text[], \(array: batch.map(\.attribution.requestId))::text[],
                               \(array: batch.map(\.traceparent))::text[])
            AS a(id, actor, reason, request_id, traceparent)
        ), decided AS (
          SELECT i.*, l.id AS existing_id,
                 CASE WHEN l.id IS NULL THEN 'new'
                      WHEN l.command = i.command THEN 'replayed'
                      WHEN l.status IN ('REQUESTED', 'REQUIRES_ACTION', 'AUTHORIZED', 'CAPTURED') THEN 'conflict'
                      ELSE 'new' END AS verdict
          FROM input i
          LEFT JOIN LATERAL (
            SELECT p.id, p.command, p.status FROM payments p
            WHERE p.cart_id = i.cart_id ORDER BY p.created_at DESC LIMIT 1
          ) l ON true
        ), inserted AS (
          INSERT INTO payments (id, cart_id, order_id, customer_id, amount, currency, capture_mode, payment_method,
                                metadata, command, customer_present, status, created_by)
          SELECT d.id, cart_id, order_id, customer_id, amount, currency, capture_mode, payment_method, metadata::jsonb,
                 command, customer_present, 'REQUESTED', a.actor
          FROM decided d JOIN attributions a ON a.id = d.id WHERE verdict = 'new'
          ON CONFLICT (cart_id) WHERE status IN ('REQUESTED', 'REQUIRES_ACTION', 'AUTHORIZED', 'CAPTURED') DO NOTHING
          RETURNING id, created_at, created_by
        ), audited AS (
          INSERT INTO audit_log (actor, action, subject, payment_id, reason, status_after, request_id)
          SELECT a.actor, 'authorize', ins.id::text, ins.id::text, a.reason, 'REQUESTED', a.request_id
          FROM inserted ins JOIN attributions a ON a.id = ins.id
        ), operations_added AS (
          INSERT INTO operations (payment_id, kind, idempotency_key, lease_owner, lease_until, lease_generation, attempts, dispatched_at, actor,
                                  traceparent)
          SELECT ins.id, 'authorize', ins.id::text || ':authorize', l.owner,
                 CASE WHEN l.owner IS NOT NULL THEN clock_timestamp() + make_interval(secs => l.seconds) END,
                 CASE WHEN l.owner IS NOT NULL THEN 1 ELSE 0 END, CASE WHEN l.owner IS NOT NULL THEN 1 ELSE 0 END,
                 CASE WHEN l.owner IS NOT NULL THEN clock_timestamp() END, ins.created_by, a.traceparent
          FROM inserted ins JOIN leases l ON l.id = ins.id JOIN attributions a ON a.id = ins.id
          RETURNING id, payment_id, idempotency_key, lease_owner
        ), leased AS (
          SELECT payment_id AS id FROM operations_added WHERE lease_owner IS NOT NULL
        ), \(EventSQL.insert(batch.compactMap(\.requestedEvent), ofPaymentsIn: "leased"))
        SELECT d.ord,
               CASE WHEN d.verdict = 'new' THEN (CASE WHEN ins.id IS NULL THEN 'raced' ELSE 'created' END) ELSE d.verdict END AS verdict,
               coalesce(ins.id, d.existing_id) AS payment_id, rfc3339(ins.created_at) AS created_at, oa.id AS operation_id,
               oa.idempotency_key AS operation_key, \(EventSQL.writtenCount)
        FROM decided d LEFT JOIN inserted ins ON ins.id = d.id LEFT JOIN operations_added oa ON oa.payment_id = ins.id
        ORDER BY d.ord
        """
    }
}

extension IntakeCommand {
    /// An authorization born leased is dispatched in the same commit, with its `payment-requested` event.
    var requestedEvent: DomainEvent? {
        guard lease != nil else { return nil }
        return AuthorizationStateMachine.requested(newPaymentId, PaymentContext(requested: command), at: Timestamp.now())
    }
}
