import Foundation
import Payments

/// The one SELECT list payments are read with, and its decoding.
enum PaymentRow {
    static let columns = """
        p.id, p.cart_id, p.order_id, p.customer_id, p.amount, p.currency, p.status, p.capture_mode,
        p.amount_captured, p.amount_refunded, p.failure_reason, p.decline_code, p.processor_reference,
        p.last_error::text, rfc3339(p.created_at), rfc3339(p.updated_at)
        """
    static let count = 16

    /// Decodes the `columns` starting at `offset`.
    static func decode(_ row: PGRow, offset o: Int = 0) throws(StoreError) -> Payment {
        guard let status = PaymentStatus(rawValue: try row.requiredString(o + 6)),
            let capture = CaptureMode(rawValue: try row.requiredString(o + 7))
        else { throw StoreError(.unexpectedResult, "payment row with an unknown status or capture mode") }
        return Payment(
            paymentId: try row.requiredString(o), cartId: try row.requiredString(o + 1),
            orderId: try row.requiredString(o + 2), customerId: row.string(o + 3), amount: try row.requiredInt(o + 4),
            currency: try row.requiredString(o + 5), status: status, capture: capture,
            amountCaptured: try row.requiredInt(o + 8), amountRefunded: try row.requiredInt(o + 9),
            failureReason: row.string(o + 10).flatMap(FailureReason.init(rawValue:)), declineCode: row.string(o + 11),
            processorReference: row.string(o + 12),
            lastError: row.string(o + 13).flatMap { try? JSONDecoder().decode(PaymentError.self, from: Data($0.utf8)) },
            createdAt: try row.requiredString(o + 14), updatedAt: try row.requiredString(o + 15))
    }
}

extension Database {
    public func payment(id: String) async throws(StoreError) -> Payment? {
        try await withConnection { tx throws(StoreError) in try tx.payment(id: id) }
    }

    /// A cart's payments, newest first.
    public func payments(cartId: String) async throws(StoreError) -> [Payment] {
        try await withConnection { tx throws(StoreError) in
            try tx.execute(
                "SELECT \(PaymentRow.columns) FROM payments p WHERE p.cart_id = $1 ORDER BY p.created_at DESC, p.id",
                [cartId]
            ).rows.map { row throws(StoreError) in try PaymentRow.decode(row) }
        }
    }
}

extension Transaction {
    func payment(id: String, lock: Bool = false) throws(StoreError) -> Payment? {
        let result = try execute(
            "SELECT \(PaymentRow.columns) FROM payments p WHERE p.id = $1\(lock ? " FOR UPDATE" : "")", [id])
        return result.isEmpty ? nil : try PaymentRow.decode(result[0])
    }
}
