import Payments
import Store
import Testing
import TestSupport

/// What a verified event queues: a Radar review is matched to its payment by the intent's id (it carries no
/// metadata), and a hold on a payment already VOIDED or FAILED is read back so the sync can release it.
@Suite("Webhook inbox: reviews and stray holds")
struct WebhookInboxTests {
    static func recorded(_ db: TestDatabase, as status: PaymentStatus, intent: String) async throws -> Payment {
        let payment = try #require(try await db.database.recordRequested(command(), newPaymentId: newId(), idempotencyKey: nil).payment)
        try await settle(db, payment, as: status)
        _ = try await db.column("UPDATE payments SET processor_reference = \(intent) WHERE id = \(payment.paymentId) RETURNING id")
        return payment
    }

    static func notice(_ id: String, intent: String, paymentId: String? = nil, status: PaymentStatus? = nil, review: PaymentReview.Status? = nil) -> WebhookNotice {
        WebhookNotice(eventId: id, type: review == nil ? "payment_intent.amount_capturable_updated" : "review.opened", intentId: intent,
                      paymentId: paymentId, refundId: nil, paymentStatus: status, refundStatus: nil, reviewStatus: review)
    }

    @Test("a review event is matched by its intent and queues a sync; once the record shows the review, it is up to date")
    func reviewFoundByIntent() async throws {
        let db = try await TestDatabase.create()
        let payment = try await Self.recorded(db, as: .authorized, intent: "pi_reviewed")
        guard case .syncQueued(let id, _) = try await db.database.receiveWebhook(Self.notice("evt_r1", intent: "pi_reviewed", review: .open)) else {
            Issue.record("the review queued nothing")
            return
        }
        #expect(id == payment.paymentId)
        _ = try await db.column("UPDATE payments SET review_status = 'open' WHERE id = \(payment.paymentId) RETURNING id")
        #expect(try await db.database.receiveWebhook(Self.notice("evt_r2", intent: "pi_reviewed", review: .open)) == .upToDate)
        #expect(try await db.database.receiveWebhook(Self.notice("evt_r3", intent: "pi_nobody", review: .open)) == .unrelated)
    }

    @Test("a hold reported on a VOIDED payment queues a read-back; on an AUTHORIZED one it is up to date")
    func strayHold() async throws {
        let db = try await TestDatabase.create()
        let voided = try await Self.recorded(db, as: .voided, intent: "pi_stray")
        let held = Self.notice("evt_h1", intent: "pi_stray", paymentId: voided.paymentId, status: .authorized)
        guard case .syncQueued = try await db.database.receiveWebhook(held) else {
            Issue.record("a hold on a VOIDED payment queued nothing")
            return
        }
        let authorized = try await Self.recorded(db, as: .authorized, intent: "pi_held")
        let same = Self.notice("evt_h2", intent: "pi_held", paymentId: authorized.paymentId, status: .authorized)
        #expect(try await db.database.receiveWebhook(same) == .upToDate)
    }
}
