import Payments
import Store
import Testing
import TestSupport

@Suite("Retention: idempotency keys and webhook ids are purged past their time")
struct RetentionTests {
    func seed(_ db: TestDatabase, keys ages: [Int], webhooks webhookAges: [Int]) async throws {
        try await db.database.withConnection(rerun: .asIs) { tx throws(StoreError) in
            for (index, hours) in ages.enumerated() {
                try tx.execute("""
                    INSERT INTO idempotency_keys (scope, key, fingerprint, resource_id, created_at)
                    VALUES ('scope', \("key-\(index)"), 'authorize {}', gen_random_uuid(), clock_timestamp() - make_interval(hours => \(hours)))
                    """)
            }
            for (index, hours) in webhookAges.enumerated() {
                try tx.execute("INSERT INTO webhook_events (id, type, received_at) VALUES (\("evt_\(index)"), 'x', clock_timestamp() - make_interval(hours => \(hours)))")
            }
        }
    }

    @Test("rows older than the policy go, in batches; younger ones and refund keys stay")
    func purgesOnlyExpired() async throws {
        let db = try await TestDatabase.create()
        // 7 keys past 72 h, 2 within; 3 webhook ids past 30 days, 1 within.
        try await seed(db, keys: [73, 80, 100, 200, 300, 400, 500, 71, 1], webhooks: [721, 800, 1000, 719])
        try await db.database.withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute("""
                INSERT INTO idempotency_keys (scope, key, fingerprint, resource_id, created_at)
                VALUES ('scope', 'refund-key', 'refund p 100 -', gen_random_uuid(), clock_timestamp() - interval '400 days')
                """)
        }
        let policy = RetentionPolicy(idempotencyKeys: .seconds(72 * 3600), webhookEvents: .seconds(30 * 86_400))
        let purged = try await db.database.purgeExpired(policy, batch: 3)
        #expect(purged.idempotencyKeys == 7)
        #expect(purged.webhookEvents == 3)
        #expect(try await db.column("SELECT key FROM idempotency_keys ORDER BY key") == ["key-7", "key-8", "refund-key"])
        #expect(try await db.column("SELECT id FROM webhook_events") == ["evt_3"])
        let again = try await db.database.purgeExpired(policy, batch: 3)
        #expect(again.idempotencyKeys == 0 && again.webhookEvents == 0)
    }

    @Test("the standard policy keeps keys longer than the contract's 72 hours")
    func standardPolicy() {
        #expect(RetentionPolicy.standard.idempotencyKeys > .seconds(72 * 3600))
        #expect(RetentionPolicy.standard.webhookEvents > .seconds(3 * 86_400))
    }

    @Test("an event delivered again after its id was purged is taken calmly (its old sync holds the key)")
    func redeliveryAfterPurge() async throws {
        let db = try await TestDatabase.create()
        let outcome = try await db.database.recordRequested(command(), newPaymentId: newId(), idempotencyKey: nil)
        guard case .created(let payment, _) = outcome else { Issue.record("not created"); return }
        _ = try await db.column("UPDATE payments SET processor_reference = 'pi_retention' WHERE id = \(payment.paymentId) RETURNING id")
        // The authorization is no longer queued, so an event saying the payment moved on queues a sync.
        _ = try await db.column("UPDATE operations SET status = 'done' WHERE payment_id = \(payment.paymentId) RETURNING id")
        let notice = WebhookNotice(
            eventId: "evt_retention", type: "payment_intent.amount_capturable_updated", intentId: "pi_retention",
            paymentId: payment.paymentId, refundId: nil, paymentStatus: .authorized, refundStatus: nil)
        #expect(try await db.database.receiveWebhook(notice).queuedSync == payment.paymentId)
        _ = try await db.column("UPDATE operations SET status = 'done' WHERE kind = 'sync' RETURNING id")
        _ = try await db.column("DELETE FROM webhook_events RETURNING id")
        #expect(try await db.database.receiveWebhook(notice).queuedSync == payment.paymentId)
        #expect(try await db.scalar("SELECT count(*) FROM operations WHERE kind = 'sync'") == "1")
    }
}
