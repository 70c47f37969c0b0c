import Payments

/// What recording an AuthorizePayment command came to.
public enum AuthorizeOutcome: Sendable {
    /// A new payment was committed.
    case created(Payment)
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

extension Database {
    /// Records the command as a REQUESTED payment with its queued authorization, in one transaction,
    /// under the "one live payment per cart" rules of the contract.
    public func authorize(
        _ command: AuthorizeCommand, newPaymentId: String, idempotencyKey: IdempotencyKey?
    ) async throws(StoreError) -> AuthorizeOutcome {
        try await transaction { tx throws(StoreError) in
            try tx.authorize(command, newPaymentId: newPaymentId, idempotencyKey: idempotencyKey)
        }
    }
}

extension Transaction {
    func authorize(
        _ command: AuthorizeCommand, newPaymentId: String, idempotencyKey: IdempotencyKey?
    ) throws(StoreError) -> AuthorizeOutcome {
        let canonical = command.canonicalForm
        let fingerprint = "authorize " + canonical
        if let idempotencyKey {
            switch try claimIdempotencyKey(idempotencyKey, fingerprint: fingerprint) {
            case .matches(let id):
                guard let payment = try payment(id: id) else { throw StoreError(.unexpectedResult, "keyed payment missing") }
                return .replayed(payment)
            case .conflicts:
                return .conflict("this Idempotency-Key was used with a different request")
            case .new:
                break
            }
        }
        // Commands for one cart queue here, so "latest payment" cannot change under us.
        try execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [command.cartId])
        let latest = try execute(
            "SELECT p.command, \(PaymentRow.columns) FROM payments p WHERE p.cart_id = $1 ORDER BY p.created_at DESC LIMIT 1",
            [command.cartId])
        if !latest.isEmpty {
            let existing = try PaymentRow.decode(latest[0], offset: 1)
            if latest[0].string(0) == canonical {
                if let idempotencyKey { try rememberIdempotencyKey(idempotencyKey, fingerprint: fingerprint, resource: existing.paymentId) }
                return .replayed(existing)
            }
            if existing.status.isLive {
                return .conflict("cart \(command.cartId) has a live payment (\(existing.paymentId)) for a different command")
            }
        }
        let inserted = try execute(
            """
            WITH p AS (
              INSERT INTO payments (id, cart_id, order_id, customer_id, amount, currency, capture_mode,
                                    payment_method, metadata, command, status)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, 'REQUESTED')
              RETURNING *
            ), op AS (
              INSERT INTO operations (payment_id, kind, idempotency_key) SELECT id, 'authorize', id::text || ':authorize' FROM p
            )
            SELECT \(PaymentRow.columns) FROM p
            """,
            [
                newPaymentId, command.cartId, command.orderId, command.customerId, String(command.amount),
                command.currency, command.capture.rawValue, command.paymentMethod, Self.metadataJSON(command.metadata),
                canonical,
            ])
        let payment = try PaymentRow.decode(inserted[0])
        if let idempotencyKey { try rememberIdempotencyKey(idempotencyKey, fingerprint: fingerprint, resource: payment.paymentId) }
        return .created(payment)
    }

    static func metadataJSON(_ metadata: [String: String]) -> String {
        "{" + metadata.keys.sorted().map { "\(JSONString.quoted($0)):\(JSONString.quoted(metadata[$0]!))" }
            .joined(separator: ",") + "}"
    }
}
