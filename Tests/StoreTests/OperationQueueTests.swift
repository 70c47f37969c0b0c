import Payments
import Store
import Testing
import TestSupport

@Suite("Operation queue: leases, compare-and-set outcomes, the outbox")
struct OperationQueueTests {
    @Test("a claimed operation is invisible to other workers until its lease expires, then taken over")
    func leases() async throws {
        let db = try await TestDatabase.create()
        let payment = try #require(try await db.database.authorize(command(), newPaymentId: newId(), idempotencyKey: nil).payment)
        let claimed = try await db.database.claimOperations(owner: "a", limit: 10, lease: .seconds(1))
        #expect(claimed.map(\.paymentId) == [payment.paymentId])
        #expect(claimed.first?.attempts == 1)
        #expect(claimed.first?.payment.amount == 1000)
        #expect(try await db.database.claimOperations(owner: "b", limit: 10, lease: .seconds(1)).isEmpty)
        try await Task.sleep(for: .milliseconds(1300))
        let takenOver = try await db.database.claimOperations(owner: "b", limit: 10, lease: .seconds(30))
        #expect(takenOver.map(\.id) == claimed.map(\.id))
        #expect(takenOver.first?.attempts == 2)
        #expect(try await db.database.renewLease(operationId: claimed[0].id, owner: "a", lease: .seconds(30)) == false)
        #expect(try await db.database.renewLease(operationId: claimed[0].id, owner: "b", lease: .seconds(30)))
    }

    @Test("workers claiming at once get disjoint operations")
    func skipLocked() async throws {
        let db = try await TestDatabase.create(poolSize: 8)
        for _ in 0..<40 { _ = try await db.database.authorize(command(), newPaymentId: newId(), idempotencyKey: nil) }
        let batches = try await withThrowingTaskGroup(of: [Int].self) { group in
            for worker in 0..<8 { group.addTask { try await db.database.claimOperations(owner: "w\(worker)", limit: 10, lease: .seconds(30)).map(\.id) } }
            return try await group.reduce(into: [[Int]]()) { $0.append($1) }
        }
        let all = batches.flatMap { $0 }
        #expect(all.count == 40)
        #expect(Set(all).count == 40)
    }

    @Test("a rescheduled operation waits for its time; released leases are claimable at once")
    func reschedule() async throws {
        let db = try await TestDatabase.create()
        _ = try await db.database.authorize(command(), newPaymentId: newId(), idempotencyKey: nil)
        let op = try #require(try await db.database.claimOperations(owner: "a", limit: 1, lease: .seconds(30)).first)
        try await db.database.reschedule(operationId: op.id, owner: "a", after: .milliseconds(700), error: "try later", newCreateAttempt: 1)
        #expect(try await db.database.claimOperations(owner: "a", limit: 1, lease: .seconds(30)).isEmpty)
        try await Task.sleep(for: .milliseconds(900))
        let again = try #require(try await db.database.claimOperations(owner: "a", limit: 1, lease: .seconds(30)).first)
        #expect(again.createAttempt == 1)
        try await db.database.releaseLeases(owner: "a")
        #expect(try await db.database.claimOperations(owner: "b", limit: 1, lease: .seconds(30)).count == 1)
    }

    @Test("outcomes never move a payment backwards, and each event is written once")
    func compareAndSet() async throws {
        let db = try await TestDatabase.create()
        let payment = try #require(try await db.database.authorize(command(), newPaymentId: newId(), idempotencyKey: nil).payment)
        let op = try #require(try await db.database.claimOperations(owner: "a", limit: 1, lease: .seconds(30)).first)
        let requested = DomainEvent.paymentRequested(
            paymentId: payment.paymentId, orderId: payment.orderId, customerId: nil, amount: 1000, currency: "USD", requestedAt: Timestamp.now())
        #expect(try await db.database.recordDispatch(of: op, event: requested))
        #expect(try await db.database.recordDispatch(of: op, event: requested))
        let succeeded = DomainEvent.paymentSucceeded(
            paymentId: payment.paymentId, orderId: payment.orderId, amount: 1000, currency: "USD", processorReference: "pi_1", succeededAt: Timestamp.now())
        #expect(try await db.database.finishOperation(
            id: op.id, paymentId: payment.paymentId, change: PaymentChange(status: .authorized, processorReference: "pi_1"),
            events: [succeeded], resolution: .done))
        let late = DomainEvent.paymentFailed(paymentId: payment.paymentId, orderId: payment.orderId, reason: .cardDeclined, failedAt: Timestamp.now())
        #expect(try await db.database.finishOperation(
            id: op.id, paymentId: payment.paymentId, change: PaymentChange(status: .failed, failureReason: .cardDeclined),
            events: [late], resolution: .done) == false)
        #expect(try await db.database.finishOperation(
            id: op.id, paymentId: payment.paymentId, change: PaymentChange(status: .authorized), events: [succeeded], resolution: .done) == false)
        let stored = try #require(try await db.database.payment(id: payment.paymentId))
        #expect(stored.status == .authorized)
        #expect(stored.failureReason == nil)
        #expect(stored.processorReference == "pi_1")
        #expect(try await db.column("SELECT type FROM events ORDER BY seq") == ["payment-requested", "payment-succeeded"])
        #expect(try await db.scalar("SELECT status FROM operations WHERE id = $1", [String(op.id)]) == "done")
    }

    @Test("a dispatch is refused once the payment left REQUESTED")
    func dispatchAfterVoid() async throws {
        let db = try await TestDatabase.create()
        let payment = try #require(try await db.database.authorize(command(), newPaymentId: newId(), idempotencyKey: nil).payment)
        let op = try #require(try await db.database.claimOperations(owner: "a", limit: 1, lease: .seconds(30)).first)
        _ = try await db.database.withConnection { tx throws(StoreError) in
            try tx.execute("UPDATE payments SET status = 'VOIDED' WHERE id = $1", [payment.paymentId])
        }
        #expect(try await db.database.recordDispatch(of: op, event: nil) == false)
    }
}
