import Foundation
import Testing
@testable import Payments

/// The hand-written resource JSON says exactly what the Codable form says.
@Suite struct ResourceJSONTests {
    static let payments = [
        Payment(
            paymentId: "p1", cartId: "c1", orderId: "o1", customerId: nil, amount: 4999, currency: "USD", status: .requested,
            capture: .manual, createdAt: "2026-11-30T00:00:00.000Z", updatedAt: "2026-11-30T00:00:00.000Z"),
        Payment(
            paymentId: "p2", cartId: "c2", orderId: "o2", customerId: "cu\"st", amount: 1, currency: "EUR", status: .failed,
            capture: .automatic, amountCaptured: 0, amountRefunded: 0, failureReason: .insufficientFunds,
            declineCode: "insufficient_funds", processorReference: "pi_1",
            lastError: PaymentError(operation: "capture", code: "x", message: "line\nbreak \\ \u{1}", at: "t"),
            createdAt: "a", updatedAt: "b"),
    ]

    static func object(_ data: Data) throws -> NSDictionary {
        try #require(JSONSerialization.jsonObject(with: data) as? NSDictionary)
    }

    @Test(arguments: payments)
    func paymentMatchesCodable(_ payment: Payment) throws {
        #expect(try Self.object(Data(payment.json.utf8)) == Self.object(JSONEncoder().encode(payment)))
    }

    @Test func refundMatchesCodable() throws {
        for reason in [nil, RefundReason.duplicate] {
            let refund = Refund(
                refundId: "r", paymentId: "p", amount: 5, currency: "USD", reason: reason, status: .processed,
                processorReference: nil, createdAt: "a", updatedAt: "b")
            #expect(try Self.object(Data(refund.json.utf8)) == Self.object(JSONEncoder().encode(refund)))
        }
    }
}
