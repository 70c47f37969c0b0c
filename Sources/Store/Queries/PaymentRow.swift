import Foundation
import Payments

/// The one SELECT list payments are read with, and its decoding.
enum PaymentRow {
    static let columns: SQL = """
        p.id, p.cart_id, p.order_id, p.customer_id, p.amount, p.currency, p.status, p.capture_mode,
        p.amount_captured, p.amount_refunded, p.failure_reason, p.decline_code, p.processor_reference,
        p.last_error::text AS last_error, rfc3339(p.created_at) AS created_at, rfc3339(p.updated_at) AS updated_at,
        p.next_action_type, p.client_secret, p.risk_outcome, p.review_status, p.review_reason,
        rfc3339(p.authorization_expires_at) AS authorization_expires_at, p.void_reason, p.amount_disputed, p.created_by
        """

    static func decode(_ row: PGRow) throws(StoreError) -> Payment {
        var payment = try decodeCore(row)
        payment.authorizationExpiresAt = try row.string("authorization_expires_at")
        payment.voidReason = try row.string("void_reason").flatMap(VoidReason.init(rawValue:))
        payment.amountDisputed = try row.int("amount_disputed") ?? 0
        payment.createdBy = try row.string("created_by")
        return payment
    }

    private static func decodeCore(_ row: PGRow) throws(StoreError) -> Payment {
        Payment(
            paymentId: try row.requiredString("id"), cartId: try row.requiredString("cart_id"),
            orderId: try row.requiredString("order_id"), customerId: try row.string("customer_id"), amount: try row.requiredInt("amount"),
            currency: try row.requiredString("currency"), status: try row.required("status", as: PaymentStatus.self),
            capture: try row.required("capture_mode", as: CaptureMode.self),
            amountCaptured: try row.requiredInt("amount_captured"), amountRefunded: try row.requiredInt("amount_refunded"),
            failureReason: try row.string("failure_reason").flatMap(FailureReason.init(rawValue:)), declineCode: try row.string("decline_code"),
            processorReference: try row.string("processor_reference"),
            lastError: try row.string("last_error").flatMap { try? JSONDecoder().decode(PaymentError.self, from: Data($0.utf8)) },
            nextAction: try nextAction(row), riskOutcome: try row.string("risk_outcome"), review: try review(row),
            createdAt: try row.requiredString("created_at"), updatedAt: try row.requiredString("updated_at"))
    }

    private static func nextAction(_ row: PGRow) throws(StoreError) -> NextAction? {
        guard let type = try row.string("next_action_type"), let secret = try row.string("client_secret") else { return nil }
        return NextAction(type: type, clientSecret: secret)
    }

    static func review(_ row: PGRow) throws(StoreError) -> PaymentReview? {
        guard let status = try row.string("review_status").flatMap(PaymentReview.Status.init(rawValue:)) else { return nil }
        return PaymentReview(status: status, reason: try row.string("review_reason"))
    }
}

extension Database {
    public func payment(id: String) async throws(StoreError) -> Payment? {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in try tx.payment(id: id) }
    }

    /// A cart's payments, newest first.
    public func payments(cartId: String) async throws(StoreError) -> [Payment] {
        try await withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute(
                "SELECT \(PaymentRow.columns) FROM payments p WHERE p.cart_id = \(cartId) ORDER BY p.created_at DESC, p.id"
            ).rows.map { row throws(StoreError) in try PaymentRow.decode(row) }
        }
    }
}

extension Transaction {
    /// Prepared: the read every `Prefer: wait` and every lifecycle request makes. Each variant has its own name,
    /// since a prepared statement's text never changes.
    func payment(id: String, lock: Bool = false) throws(StoreError) -> Payment? {
        let result = lock
            ? try execute(prepared: "payment_for_update", "SELECT \(PaymentRow.columns) FROM payments p WHERE p.id = \(id) FOR UPDATE")
            : try execute(prepared: "payment", "SELECT \(PaymentRow.columns) FROM payments p WHERE p.id = \(id)")
        return result.isEmpty ? nil : try PaymentRow.decode(result[0])
    }
}
