import Payments
import Store
import Testing
import TestSupport

@Suite("Audit log: append-only, and written with its effect or not at all")
struct AuditLogTests {
    /// Makes the database refuse an audit row whose reason is `fail-audit`, as a failing insert would.
    static func refuseAuditRows(_ db: TestDatabase) async throws {
        _ = try await db.column("""
            CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'audit insert refused by the test'; END $$
            """)
        _ = try await db.column("""
            CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW
              WHEN (NEW.reason = 'fail-audit') EXECUTE FUNCTION test_refuse_audit()
            """)
    }

    static let failing = Attribution(actor: "ops", reason: "fail-audit", requestId: "r-1")

    @Test("UPDATE, DELETE and TRUNCATE of audit_log are refused by the database, to the service's own role too")
    func appendOnly() async throws {
        let db = try await TestDatabase.create()
        let payment = try #require(try await db.database.recordRequested(command(), newPaymentId: newId(), idempotencyKey: nil, attribution: .test).payment)
        #expect(try await db.scalar("SELECT count(*) FROM audit_log WHERE subject = \(payment.paymentId)") == "1")
        for statement in ["UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log", "TRUNCATE audit_log",
                          "UPDATE audit_log SET reason = NULL WHERE false"] {
            await #expect(throws: StoreError.self, "\(statement)") { _ = try await db.column(SQL(stringLiteral: statement)) }
        }
        #expect(try await db.column("SELECT actor FROM audit_log") == ["test"])
    }

    @Test("a capture, a void and a refund whose audit row fails leave no operation, no refund and no row")
    func lifecycleWithItsRowOrNothing() async throws {
        let db = try await TestDatabase.create()
        try await Self.refuseAuditRows(db)
        let payment = try #require(try await db.database.recordRequested(command(amount: 900), newPaymentId: newId(), idempotencyKey: nil).payment)
        try await settle(db, payment, as: .authorized)
        await #expect(throws: StoreError.self) { _ = try await db.database.requestCapture(paymentId: payment.paymentId, amount: nil, by: Self.failing) }
        await #expect(throws: StoreError.self) { _ = try await db.database.requestVoid(paymentId: payment.paymentId, by: Self.failing) }
        #expect(try await db.scalar("SELECT count(*) FROM operations WHERE payment_id = \(payment.paymentId)") == "1")
        _ = try await db.column("UPDATE payments SET status = 'CAPTURED', amount_captured = 900 WHERE id = \(payment.paymentId)::uuid")
        await #expect(throws: StoreError.self) {
            _ = try await db.database.requestRefund(
                paymentId: payment.paymentId, amount: 100, reason: nil, newRefundId: newId(), idempotencyKey: nil, by: Self.failing)
        }
        #expect(try await db.scalar("SELECT count(*) FROM refunds") == "0")
        #expect(try await db.scalar("SELECT count(*) FROM operations WHERE payment_id = \(payment.paymentId)") == "1")
        #expect(try await db.column("SELECT action FROM audit_log ORDER BY id") == ["authorize"])
    }

    @Test("an authorization whose audit row fails leaves no payment, no operation and no row")
    func authorizeWithItsRowOrNothing() async throws {
        let db = try await TestDatabase.create()
        try await Self.refuseAuditRows(db)
        await #expect(throws: StoreError.self) {
            _ = try await db.database.recordRequested(command(), newPaymentId: newId(), idempotencyKey: nil, attribution: Self.failing)
        }
        #expect(try await db.scalar("SELECT count(*) FROM payments") == "0")
        #expect(try await db.scalar("SELECT count(*) FROM operations") == "0")
        #expect(try await db.scalar("SELECT count(*) FROM audit_log") == "0")
    }

    @Test("each write records its actor: createdBy, the operation's actor and the row with reason, request id and statuses")
    func attribution() async throws {
        let db = try await TestDatabase.create()
        let ordering = Attribution(actor: "ordering", reason: "checkout", requestId: "req-a")
        let ops = Attribution(actor: "ops", reason: "customer asked", requestId: "req-b")
        let payment = try #require(try await db.database.recordRequested(command(amount: 700), newPaymentId: newId(), idempotencyKey: nil, attribution: ordering).payment)
        #expect(payment.createdBy == "ordering")
        try await settle(db, payment, as: .captured)
        _ = try await db.column("UPDATE payments SET amount_captured = 700 WHERE id = \(payment.paymentId)::uuid")
        let refundId = newId()
        _ = try await db.database.requestRefund(paymentId: payment.paymentId, amount: 300, reason: nil, newRefundId: refundId, idempotencyKey: nil, by: ops)
        #expect(try await db.database.refund(id: refundId)?.createdBy == "ops")
        #expect(try await db.database.payment(id: payment.paymentId)?.createdBy == "ordering")
        #expect(try await db.column("SELECT actor FROM operations WHERE payment_id = \(payment.paymentId)::uuid ORDER BY id") == ["ordering", "ops"])
        let log = try await db.database.auditLog(subject: payment.paymentId, after: nil, limit: 10)
        #expect(log.map(\.entry) == [
            AuditEntry(ordering, .authorize, subject: payment.paymentId, statusBefore: nil, statusAfter: "REQUESTED"),
            AuditEntry(ops, .refund, subject: refundId, paymentId: payment.paymentId, statusBefore: nil, statusAfter: "REQUESTED"),
        ])
        #expect(try await db.database.auditLog(subject: refundId, after: nil, limit: 10).map(\.entry.action) == [.refund])
        #expect(try await db.database.auditLog(subject: payment.paymentId, after: log[0].id, limit: 10).map(\.id) == [log[1].id])
        #expect(try await db.database.auditLog(subject: payment.paymentId, after: nil, limit: 1).count == 1)
    }
}
