import Payments
import Support

/// What asking for a capture or a void came to. `operationId` is the queued operation to wait on.
public enum LifecycleOutcome: Sendable {
    /// Queued for the worker (HTTP 202).
    case queued(Payment, operationId: Int)
    /// Already so, or finished at once (HTTP 200).
    case done(Payment)
    case conflict(String)
    case notFound
}

extension Transaction {
    /// The payment's operations, oldest first.
    func operations(of paymentId: String) throws(StoreError) -> [OperationSummary] {
        var summaries: [OperationSummary] = []
        for row in try execute(
            """
            SELECT id, kind, status, amount, dispatched_at IS NOT NULL AS dispatched, key_attempt
            FROM operations WHERE payment_id = \(paymentId) ORDER BY id
            """
        ).rows {
            guard let id = try row.int("id"), let kind = try row.string("kind").flatMap(OperationKind.init(rawValue:)),
                let status = try row.string("status").flatMap(OperationStatus.init(rawValue:))
            else { continue }
            summaries.append(OperationSummary(
                id: id, kind: kind, status: status, amount: try row.int("amount"), dispatched: try row.bool("dispatched"),
                keyAttempt: try row.int("key_attempt") ?? 0))
        }
        return summaries
    }

    /// `actor`: who asked for it (`Attribution.actor`); nil for the service's own read-backs.
    func enqueue(
        _ kind: OperationKind, paymentId: String, amount: Int?, key: String, refundId: String? = nil, keyAttempt: Int = 0,
        voidReason: VoidReason? = nil, actor: String? = nil
    ) throws(StoreError) -> Int {
        try execute(
            """
            INSERT INTO operations (payment_id, refund_id, kind, amount, idempotency_key, key_attempt, void_reason, actor, traceparent)
            VALUES (\(paymentId), \(refundId), \(kind), \(amount)::bigint, \(key), \(keyAttempt)::int, \(voidReason), \(actor),
                    \(traceparent))
            RETURNING id
            """
        )[0].requiredInt("id")
    }
}

extension Database {
    /// `POST /payments/{id}/capture`, decided under the payment's row lock by `LifecycleDecision.capture`:
    /// 200 only when the payment is captured as asked.
    public func requestCapture(paymentId: String, amount: Int?, by attribution: Attribution) async throws(StoreError) -> LifecycleOutcome {
        try await transaction(rerun: .asIs) { tx throws(StoreError) in
            guard let payment = try tx.payment(id: paymentId, lock: true) else { return .notFound }
            let ops = try tx.operations(of: paymentId)
            let decision = LifecycleDecision.capture(payment: payment, operations: ops, amount: amount, now: Timestamp.now())
            return try tx.carryOut(decision, for: payment, by: attribution).outcome
        }
    }

    /// `POST /payments/{id}/void`, decided under the payment's row lock by `LifecycleDecision.void`: 200 only
    /// when the payment is VOIDED.
    public func requestVoid(paymentId: String, by attribution: Attribution) async throws(StoreError) -> LifecycleOutcome {
        let (outcome, voidedNow) = try await transaction(rerun: .asIs) { tx throws(StoreError) -> (LifecycleOutcome, Bool) in
            guard let payment = try tx.payment(id: paymentId, lock: true) else { return (.notFound, false) }
            let ops = try tx.operations(of: paymentId)
            return try tx.carryOut(LifecycleDecision.void(payment: payment, operations: ops), for: payment, by: attribution)
        }
        if voidedNow { PaymentTransitions.record(.voided) }
        return outcome
    }

    /// Whether a queued operation has finished (for `Prefer: wait`).
    public func operationFinished(id: Int) async throws(StoreError) -> Bool {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute("SELECT status <> 'queued' AS finished FROM operations WHERE id = \(id)").rows.first?.bool("finished") ?? true
        }
    }
}

extension Transaction {
    /// Executes what `decision` says for `payment`, with the audit row of its effect (none for an answer that
    /// changes nothing); the flag is whether the payment was voided here and now. `voidReason`: a void enqueued
    /// here is asked for this reason (nil: Ordering's, `VoidReason.requested(on:)`). `action`: the audit row's, when
    /// not the decision's own kind (an operator's retry).
    func carryOut(
        _ decision: LifecycleDecision, for payment: Payment, voidReason: VoidReason? = nil, by attribution: Attribution,
        auditedAs action: AuditAction? = nil
    ) throws(StoreError) -> (outcome: LifecycleOutcome, voidedNow: Bool) {
        func audited(_ kind: OperationKind, after: Payment = payment) throws(StoreError) {
            try appendAudit(AuditEntry(
                attribution, action ?? (kind == .capture ? .capture : .void), subject: payment.paymentId, statusBefore: payment.status.rawValue,
                statusAfter: after.status.rawValue))
        }
        switch decision {
        case .done:
            return (.done(payment), false)
        case .conflict(let reason):
            return (.conflict(reason), false)
        case .release(let op):
            if op.status == .parked { try audited(op.kind) }
            return (.queued(payment, operationId: try release(op)), false)
        case .enqueue(let kind, let amount, let keyAttempt):
            let id = try enqueue(
                kind, paymentId: payment.paymentId, amount: amount, key: "\(payment.paymentId):\(kind.rawValue)", keyAttempt: keyAttempt,
                voidReason: kind == .void ? voidReason ?? VoidReason.requested(on: payment.status) : nil, actor: attribution.actor)
            try audited(kind)
            return (.queued(payment, operationId: id), false)
        case .voidUnsent(let authorizationId):
            let voided = try voidUnsent(payment, authorizationId: authorizationId)
            try audited(.void, after: voided)
            return (.done(voided), true)
        }
    }

    /// Asking again for a parked capture or void is the retry that releases it (its unreadable answers counted
    /// afresh); a queued one is left as it is. Returns its id.
    func release(_ op: OperationSummary) throws(StoreError) -> Int {
        if op.status == .parked {
            try execute(
                """
                UPDATE operations SET status = 'queued', next_attempt_at = clock_timestamp(), protocol_faults = 0,
                    updated_at = clock_timestamp(), traceparent = coalesce(\(traceparent), traceparent)
                WHERE id = \(op.id) AND status = 'parked'
                """)
        }
        return op.id
    }

    /// Cancels the authorization that was never sent and voids the payment, with no processor call: its NOTIFY
    /// wakes the authorization's `Prefer: wait` requests, as the worker's end of it would have.
    private func voidUnsent(_ payment: Payment, authorizationId: Int) throws(StoreError) -> Payment {
        try execute(
            """
            UPDATE operations SET status = 'cancelled', lease_owner = NULL, lease_until = NULL, updated_at = clock_timestamp()
            WHERE id = \(authorizationId)
            """)
        let event = DomainEvent.paymentVoided(
            paymentId: payment.paymentId, orderId: payment.orderId, processorReference: nil, voidedAt: Timestamp.now())
        guard try apply(PaymentChange(status: .voided, voidReason: .client), to: payment.paymentId) else {
            throw StoreError(.unexpectedResult, "payment left REQUESTED under its row lock")
        }
        concerns(payment.paymentId)
        try append([event])
        return try self.payment(id: payment.paymentId) ?? payment
    }
}
