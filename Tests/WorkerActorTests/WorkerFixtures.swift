import Foundation
import Payments
import Store
import TestSupport

/// A fresh database holding one REQUESTED payment of 1000 USD, its authorization queued.
func requestedPayment() async throws -> (TestDatabase, Payment) {
    let db = try await TestDatabase.create()
    let command = AuthorizeCommand(cartId: UUID().uuidString, customerId: nil, amount: 1000, currency: "USD", paymentMethod: "pm_card_visa")
    guard case .created(let payment, _) = try await db.database.recordRequested(command, newPaymentId: UUID().uuidString.lowercased(), idempotencyKey: nil)
    else { throw HarnessError(message: "not created") }
    return (db, payment)
}
