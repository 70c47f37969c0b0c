import Foundation
import Payments
import Store
import TestSupport

func command(cart: String = UUID().uuidString.lowercased(), amount: Int = 1000, method: String = "pm_card_visa") -> AuthorizeCommand {
    AuthorizeCommand(cartId: cart, customerId: nil, amount: amount, currency: "USD", paymentMethod: method)
}

func newId() -> String { UUID().uuidString.lowercased() }

extension IntakeOutcome {
    var payment: Payment? {
        switch self {
        case .created(let p, _), .replayed(let p): p
        case .conflict: nil
        }
    }

    var isCreated: Bool { if case .created = self { true } else { false } }
    var isReplayed: Bool { if case .replayed = self { true } else { false } }
    var isConflict: Bool { if case .conflict = self { true } else { false } }
}

extension WebhookReceipt {
    /// The payment a sync was queued for.
    var queuedSync: String? { if case .syncQueued(let paymentId, _) = self { paymentId } else { nil } }
}

/// Ends the payment's authorization as `status`, as the worker would.
func settle(_ db: TestDatabase, _ payment: Payment, as status: PaymentStatus) async throws {
    let op = try #require(try await db.scalar("SELECT id FROM operations WHERE payment_id = \(payment.paymentId)"))
    let generation = try #require(try await db.scalar("SELECT lease_generation FROM operations WHERE id = \(op)"))
    try await db.database.finishOperation(
        OperationLease(operationId: Int(op)!, generation: Int(generation)!), paymentId: payment.paymentId, change: PaymentChange(status: status, failureReason: status == .failed ? .cardDeclined : nil),
        events: [], resolution: .done)
}

import Testing
