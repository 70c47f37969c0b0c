import Payments

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
    /// The payment's operations by kind that are still queued, and whether its authorization was sent.
    func operations(of paymentId: String) throws(StoreError) -> [(id: Int, kind: OperationKind, status: OperationStatus, amount: Int?, dispatched: Bool)] {
        try execute(
            "SELECT id, kind, status, amount, dispatched_at IS NOT NULL FROM operations WHERE payment_id = $1 ORDER BY id",
            [paymentId]
        ).rows.compactMap { row in
            guard let id = row.int(0), let kind = row.string(1).flatMap(OperationKind.init(rawValue:)),
                let status = row.string(2).flatMap(OperationStatus.init(rawValue:))
            else { return nil }
            return (id, kind, status, row.int(3), row.bool(4))
        }
    }

    func enqueue(_ kind: OperationKind, paymentId: String, amount: Int?, key: String, refundId: String? = nil) throws(StoreError) -> Int {
        try execute(
            """
            INSERT INTO operations (payment_id, refund_id, kind, amount, idempotency_key)
            VALUES ($1, $2, $3, $4::bigint, $5) RETURNING id
            """, [paymentId, refundId, kind.rawValue, amount.map(String.init), key]
        )[0].requiredInt(0)
    }
}

extension Database {
    /// `POST /payments/{id}/capture`, decided under the payment's row lock (`contract.md`'s table).
    public func requestCapture(paymentId: String, amount: Int?) async throws(StoreError) -> LifecycleOutcome {
        try await transaction { tx throws(StoreError) in
            guard let payment = try tx.payment(id: paymentId, lock: true) else { return .notFound }
            let wanted = amount ?? payment.amount
            let ops = try tx.operations(of: paymentId)
            switch payment.status {
            case .captured:
                return payment.amountCaptured == wanted ? .done(payment)
                    : .conflict("payment was captured with \(payment.amountCaptured), not \(wanted)")
            case .requested, .voided, .failed:
                return .conflict("a \(payment.status.rawValue) payment cannot be captured")
            case .authorized:
                if ops.contains(where: { $0.kind == .void }) { return .conflict("a void of this payment is queued") }
                if let capture = ops.first(where: { $0.kind == .capture }) {
                    guard capture.amount == wanted else {
                        return .conflict("a capture of \(capture.amount ?? 0) is already \(capture.status == .queued ? "queued" : "recorded")")
                    }
                    return capture.status == .queued ? .queued(payment, operationId: capture.id) : .done(payment)
                }
                guard wanted <= payment.amount else {
                    return .conflict("cannot capture \(wanted): only \(payment.amount) is authorized")
                }
                let id = try tx.enqueue(.capture, paymentId: paymentId, amount: wanted, key: "\(paymentId):capture")
                return .queued(payment, operationId: id)
            }
        }
    }

    /// `POST /payments/{id}/void`. A payment whose authorization was never sent is voided at once, with no
    /// processor call; one in flight (manual capture) or authorized gets a queued void that cancels the intent.
    public func requestVoid(paymentId: String) async throws(StoreError) -> LifecycleOutcome {
        let (outcome, voidedNow) = try await transaction { tx throws(StoreError) -> (LifecycleOutcome, Bool) in
            guard let payment = try tx.payment(id: paymentId, lock: true) else { return (.notFound, false) }
            let ops = try tx.operations(of: paymentId)
            if let void = ops.first(where: { $0.kind == .void }) {
                return (void.status == .queued ? .queued(payment, operationId: void.id) : .done(payment), false)
            }
            switch payment.status {
            case .voided:
                return (.done(payment), false)
            case .captured, .failed:
                return (.conflict("a \(payment.status.rawValue) payment cannot be voided\(payment.status == .captured ? "; refund it instead" : "")"), false)
            case .authorized where ops.contains(where: { $0.kind == .capture }):
                return (.conflict("a capture of this payment is queued"), false)
            case .requested:
                let authorization = ops.first(where: { $0.kind == .authorize })
                if let authorization, authorization.status == .queued, !authorization.dispatched {
                    try tx.execute(
                        "UPDATE operations SET status = 'cancelled', lease_owner = NULL, lease_until = NULL, updated_at = clock_timestamp() WHERE id = $1",
                        [String(authorization.id)])
                    let event = DomainEvent.paymentVoided(
                        paymentId: paymentId, orderId: payment.orderId, processorReference: nil, voidedAt: Timestamp.now())
                    guard try tx.apply(PaymentChange(status: .voided), to: paymentId) else {
                        throw StoreError(.unexpectedResult, "payment left REQUESTED under its row lock")
                    }
                    try tx.append([event])
                    return (.done(try tx.payment(id: paymentId) ?? payment), true)
                }
                if payment.capture == .automatic {
                    return (.conflict("an automatic-capture authorization is in flight; refund it instead"), false)
                }
                fallthrough
            case .authorized:
                let id = try tx.enqueue(.void, paymentId: paymentId, amount: nil, key: "\(paymentId):void")
                return (.queued(payment, operationId: id), false)
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
