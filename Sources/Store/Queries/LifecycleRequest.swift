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

/// One of a payment's operations, as the capture and void decisions see it.
struct OperationSummary {
    var id: Int
    var kind: OperationKind
    var status: OperationStatus
    var amount: Int?
    var dispatched: Bool
    var keyAttempt: Int

    /// Queued or parked: it still stands for the payment. A failed one (refused for good) blocks nothing.
    var isLive: Bool { status == .queued || status == .parked }
}

extension Transaction {
    /// The payment's operations, oldest first.
    func operations(of paymentId: String) throws(StoreError) -> [OperationSummary] {
        try execute(
            "SELECT id, kind, status, amount, dispatched_at IS NOT NULL, key_attempt FROM operations WHERE payment_id = $1 ORDER BY id",
            [paymentId]
        ).rows.compactMap { row in
            guard let id = row.int(0), let kind = row.string(1).flatMap(OperationKind.init(rawValue:)),
                let status = row.string(2).flatMap(OperationStatus.init(rawValue:))
            else { return nil }
            return OperationSummary(id: id, kind: kind, status: status, amount: row.int(3), dispatched: row.bool(4), keyAttempt: row.int(5) ?? 0)
        }
    }

    func enqueue(
        _ kind: OperationKind, paymentId: String, amount: Int?, key: String, refundId: String? = nil, keyAttempt: Int = 0
    ) throws(StoreError) -> Int {
        try execute(
            """
            INSERT INTO operations (payment_id, refund_id, kind, amount, idempotency_key, key_attempt)
            VALUES ($1, $2, $3, $4::bigint, $5, $6::int) RETURNING id
            """, [paymentId, refundId, kind.rawValue, amount.map(String.init), key, String(keyAttempt)]
        )[0].requiredInt(0)
    }

    /// A capture or void after earlier attempts of its kind ended: its own row, under the next key number
    /// (past every number an earlier attempt used, its saved-500 moves included).
    func enqueueAttempt(_ kind: OperationKind, of paymentId: String, amount: Int?, after ops: [OperationSummary]) throws(StoreError) -> Int {
        let earlier = ops.filter { $0.kind == kind }.map(\.keyAttempt)
        return try enqueue(kind, paymentId: paymentId, amount: amount, key: "\(paymentId):\(kind.rawValue)",
                           keyAttempt: earlier.max().map { $0 + 1 } ?? 0)
    }
}

extension Database {
    /// `POST /payments/{id}/capture`, decided under the payment's row lock (`contract.md`'s table) by the
    /// payment's state and its live operations only: 200 only when the payment is captured as asked.
    public func requestCapture(paymentId: String, amount: Int?) async throws(StoreError) -> LifecycleOutcome {
        try await transaction { tx throws(StoreError) in
            guard let payment = try tx.payment(id: paymentId, lock: true) else { return .notFound }
            let wanted = amount ?? payment.amount
            switch payment.status {
            case .captured:
                return payment.amountCaptured == wanted ? .done(payment)
                    : .conflict("payment was captured with \(payment.amountCaptured), not \(wanted)")
            case .requested, .voided, .failed:
                return .conflict("a \(payment.status.rawValue) payment cannot be captured")
            case .authorized:
                let ops = try tx.operations(of: paymentId)
                let live = ops.filter(\.isLive)
                if live.contains(where: { $0.kind == .void }) { return .conflict("a void of this payment is queued") }
                if let capture = live.first(where: { $0.kind == .capture }) {
                    guard capture.amount == wanted else { return .conflict("a capture of \(capture.amount ?? 0) is already queued") }
                    return .queued(payment, operationId: try tx.release(capture))
                }
                guard wanted <= payment.amount else {
                    return .conflict("cannot capture \(wanted): only \(payment.amount) is authorized")
                }
                return .queued(payment, operationId: try tx.enqueueAttempt(.capture, of: paymentId, amount: wanted, after: ops))
            }
        }
    }

    /// `POST /payments/{id}/void`. A payment whose authorization was never sent is voided at once, with no
    /// processor call; one in flight (manual capture) or authorized gets a queued void that cancels the intent.
    /// Decided by the payment's state and its live operations: 200 only when the payment is VOIDED.
    public func requestVoid(paymentId: String) async throws(StoreError) -> LifecycleOutcome {
        let (outcome, voidedNow) = try await transaction { tx throws(StoreError) -> (LifecycleOutcome, Bool) in
            guard let payment = try tx.payment(id: paymentId, lock: true) else { return (.notFound, false) }
            let ops = try tx.operations(of: paymentId)
            let live = ops.filter(\.isLive)
            if let void = live.first(where: { $0.kind == .void }) { return (.queued(payment, operationId: try tx.release(void)), false) }
            switch payment.status {
            case .voided:
                return (.done(payment), false)
            case .captured, .failed:
                return (.conflict("a \(payment.status.rawValue) payment cannot be voided\(payment.status == .captured ? "; refund it instead" : "")"), false)
            case .authorized where live.contains(where: { $0.kind == .capture }):
                return (.conflict("a capture of this payment is queued"), false)
            case .requested:
                if let voided = try tx.voidUnsent(payment, ops: ops) { return (.done(voided), true) }
                if payment.capture == .automatic {
                    return (.conflict("an automatic-capture authorization is in flight; refund it instead"), false)
                }
                fallthrough
            case .authorized:
                return (.queued(payment, operationId: try tx.enqueueAttempt(.void, of: paymentId, amount: nil, after: ops)), false)
            }
        }
        if voidedNow { PaymentTransitions.record(.voided) }
        return outcome
    }

    /// Whether a queued operation has finished (for `Prefer: wait`).
    public func operationFinished(id: Int) async throws(StoreError) -> Bool {
        try await withConnection { tx throws(StoreError) in
            try tx.execute("SELECT status <> 'queued' FROM operations WHERE id = $1", [String(id)]).rows.first?.bool(0) ?? true
        }
    }
}

extension Transaction {
    /// Asking again for a parked capture or void is the retry that releases it (its unreadable answers counted
    /// afresh); a queued one is left as it is. Returns its id.
    fileprivate func release(_ op: OperationSummary) throws(StoreError) -> Int {
        if op.status == .parked {
            try execute(
                """
                UPDATE operations SET status = 'queued', next_attempt_at = clock_timestamp(), protocol_faults = 0,
                    updated_at = clock_timestamp()
                WHERE id = $1 AND status = 'parked'
                """, [String(op.id)])
        }
        return op.id
    }

    /// Voids a payment whose authorization is still queued and was never sent, or parked before any intent was
    /// recorded (only the recorded intent is ever confirmed, so none holds money): the authorization is
    /// cancelled, no processor call is made. Nil otherwise.
    fileprivate func voidUnsent(_ payment: Payment, ops: [OperationSummary]) throws(StoreError) -> Payment? {
        guard let authorization = ops.first(where: { $0.kind == .authorize }),
            (authorization.status == .queued && !authorization.dispatched)
                || (authorization.status == .parked && payment.processorReference == nil)
        else { return nil }
        try execute(
            "UPDATE operations SET status = 'cancelled', lease_owner = NULL, lease_until = NULL, updated_at = clock_timestamp() WHERE id = $1",
            [String(authorization.id)])
        let event = DomainEvent.paymentVoided(
            paymentId: payment.paymentId, orderId: payment.orderId, processorReference: nil, voidedAt: Timestamp.now())
        guard try apply(PaymentChange(status: .voided), to: payment.paymentId) else {
            throw StoreError(.unexpectedResult, "payment left REQUESTED under its row lock")
        }
        try append([event])
        return try self.payment(id: payment.paymentId) ?? payment
    }
}

