import Payments
import Store
import Support
import Testing
import TestSupport

@Suite("Operation queue: leases, compare-and-set outcomes, the outbox")
struct OperationQueueTests {
    @Test("a claimed operation is invisible to other workers until its lease expires, then taken over")
    func leases() async throws {
        let db = try await TestDatabase.create()
        let payment = try #require(try await db.database.recordRequested(command(), newPaymentId: newId(), idempotencyKey: nil).payment)
        let claimed = try await db.database.claimOperations(owner: "a", limit: 10, lease: .seconds(1))
        #expect(claimed.map(\.paymentId) == [payment.paymentId])
        #expect(claimed.first?.attempts == 1)
        #expect(claimed.first?.payment.amount == 1000)
        #expect(try await db.database.claimOperations(owner: "b", limit: 10, lease: .seconds(1)).isEmpty)
        try await Task.sleep(for: .milliseconds(1300))
        let takenOver = try await db.database.claimOperations(owner: "b", limit: 10, lease: .seconds(30))
        #expect(takenOver.map(\.id) == claimed.map(\.id))
        #expect(takenOver.first?.attempts == 2)
        #expect(takenOver.first?.generation == 2)
        #expect(try await db.database.renewLease(claimed[0].lease, for: .seconds(30)) == false)
        #expect(try await db.database.renewLease(takenOver[0].lease, for: .seconds(30)))
    }

    @Test("workers claiming at once get disjoint operations")
    func skipLocked() async throws {
        let db = try await TestDatabase.create(poolSize: 8)
        for _ in 0..<40 { _ = try await db.database.recordRequested(command(), newPaymentId: newId(), idempotencyKey: nil) }
        let batches = try await withThrowingTaskGroup(of: [Int].self) { group in
            for worker in 0..<8 { group.addTask { try await db.database.claimOperations(owner: "w\(worker)", limit: 10, lease: .seconds(30)).map(\.id) } }
            return try await group.reduce(into: [[Int]]()) { $0.append($1) }
        }
        let all = batches.flatMap { $0 }
        #expect(all.count == 40)
        #expect(Set(all).count == 40)
    }

    @Test("a claim by id takes the operation the intake committed, with its fencing token; never one held, done or not yet due")
    func claimById() async throws {
        let db = try await TestDatabase.create(poolSize: 4)
        guard case .created(_, let queued) = try await db.database.recordRequested(command(), newPaymentId: newId(), idempotencyKey: nil)
        else { Issue.record("not created"); return }
        let authorization = queued.id
        let claimed = try await db.database.claimOperations(ids: [authorization, 999_999], owner: "a", lease: .seconds(30))
        #expect(claimed.map(\.id) == [authorization])
        #expect(claimed.first?.generation == 1)
        #expect(claimed.first?.attempts == 1)
        // Held by "a": neither a second claim by id nor a sweep takes it.
        #expect(try await db.database.claimOperations(ids: [authorization], owner: "b", lease: .seconds(30)).isEmpty)
        #expect(try await db.database.claimOperations(owner: "b", limit: 10, lease: .seconds(30)).isEmpty)
        // Rescheduled into the future: not due, not taken by id.
        try await db.database.reschedule(claimed[0].lease, after: .seconds(60), error: "later")
        #expect(try await db.database.claimOperations(ids: [authorization], owner: "b", lease: .seconds(30)).isEmpty)
    }

    @Test("a claim by id racing a sweep: exactly one of them gets the operation")
    func claimByIdRacesSweep() async throws {
        let db = try await TestDatabase.create(poolSize: 8)
        var ids: [Int] = []
        for _ in 0..<30 {
            if case .created(_, let op) = try await db.database.recordRequested(command(), newPaymentId: newId(), idempotencyKey: nil) { ids.append(op.id) }
        }
        let claims = try await withThrowingTaskGroup(of: [Int].self) { group in
            for worker in 0..<4 {
                group.addTask { try await db.database.claimOperations(owner: "s\(worker)", limit: 10, lease: .seconds(30)).map(\.id) }
                group.addTask { [ids] in try await db.database.claimOperations(ids: ids, owner: "i\(worker)", lease: .seconds(30)).map(\.id) }
            }
            return try await group.reduce(into: [Int]()) { $0 += $1 }
        }
        #expect(claims.sorted() == ids.sorted())
    }

    @Test("a rescheduled operation waits for its time; released leases are claimable at once")
    func reschedule() async throws {
        let db = try await TestDatabase.create()
        _ = try await db.database.recordRequested(command(), newPaymentId: newId(), idempotencyKey: nil)
        let op = try #require(try await db.database.claimOperations(owner: "a", limit: 1, lease: .seconds(30)).first)
        try await db.database.reschedule(op.lease, after: .milliseconds(700), error: "try later", newCreateAttempt: 1)
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
        let payment = try #require(try await db.database.recordRequested(command(), newPaymentId: newId(), idempotencyKey: nil).payment)
        let op = try #require(try await db.database.claimOperations(owner: "a", limit: 1, lease: .seconds(30)).first)
        let requested = DomainEvent.paymentRequested(
            paymentId: payment.paymentId, orderId: payment.orderId, customerId: nil, amount: 1000, currency: "USD", requestedAt: Timestamp.now())
        #expect(try await db.database.recordDispatch(of: op, event: requested))
        #expect(try await db.database.recordDispatch(of: op, event: requested))
        let succeeded = DomainEvent.paymentSucceeded(
            paymentId: payment.paymentId, orderId: payment.orderId, amount: 1000, currency: "USD", processorReference: "pi_1", succeededAt: Timestamp.now())
        #expect(try await db.database.finishOperation(
            op.lease, paymentId: payment.paymentId, change: PaymentChange(status: .authorized, processorReference: "pi_1"),
            events: [succeeded], resolution: .done) != nil)
        // A later operation of the same payment (a sync after a webhook) reporting an older state changes nothing.
        _ = try await db.column("INSERT INTO operations (payment_id, kind, idempotency_key) VALUES (\(payment.paymentId), 'sync', 'late') RETURNING id")
        let sync = try #require(try await db.database.claimOperations(owner: "a", limit: 1, lease: .seconds(30)).first)
        let late = DomainEvent.paymentFailed(paymentId: payment.paymentId, orderId: payment.orderId, reason: .cardDeclined, failedAt: Timestamp.now())
        #expect(try await db.database.finishOperation(
            sync.lease, paymentId: payment.paymentId, change: PaymentChange(status: .failed, failureReason: .cardDeclined),
            events: [late], resolution: .done) == nil)
        let stored = try #require(try await db.database.payment(id: payment.paymentId))
        #expect(stored.status == .authorized)
        #expect(stored.failureReason == nil)
        #expect(stored.processorReference == "pi_1")
        #expect(try await db.column("SELECT type FROM events ORDER BY seq") == ["payment-requested", "payment-succeeded"])
        #expect(try await db.scalar("SELECT status FROM operations WHERE id = \(op.id)") == "done")
    }

    @Test("a claim taken over after its lease expired writes nothing: dispatch, reference, outcome, reschedule, refund")
    func staleClaimIsFencedOut() async throws {
        let db = try await TestDatabase.create()
        let payment = try #require(try await db.database.recordRequested(command(), newPaymentId: newId(), idempotencyKey: nil).payment)
        let first = try #require(try await db.database.claimOperations(owner: "same-process", limit: 1, lease: .seconds(1)).first)
        try await Task.sleep(for: .milliseconds(1200))
        // The same owner name takes it over: fencing is by generation, not by who holds it.
        let second = try #require(try await db.database.claimOperations(owner: "same-process", limit: 1, lease: .seconds(30)).first)
        #expect(second.generation == first.generation + 1)

        #expect(try await db.database.recordDispatch(of: first, event: nil) == false)
        await #expect(throws: StoreError.self) {
            _ = try await db.database.recordProcessorReference(first.lease, paymentId: payment.paymentId, reference: "pi_stale")
        }
        await #expect(throws: StoreError.self) {
            try await db.database.finishOperation(
                first.lease, paymentId: payment.paymentId, change: PaymentChange(status: .failed, failureReason: .processingError),
                events: [], resolution: .done)
        }
        await #expect(throws: StoreError.self) { try await db.database.reschedule(first.lease, after: .zero, error: "stale") }
        #expect(try await db.database.renewLease(first.lease, for: .seconds(60)) == false)

        // The live claim's writes land, and it uses the reference it recorded.
        #expect(try await db.database.recordProcessorReference(second.lease, paymentId: payment.paymentId, reference: "pi_live") == "pi_live")
        let stored = try #require(try await db.database.payment(id: payment.paymentId))
        #expect(stored.status == .requested)
        #expect(stored.processorReference == "pi_live")
        #expect(try await db.scalar("SELECT status FROM operations WHERE id = \(first.id)") == "queued")
        #expect(try await db.scalar("SELECT last_error IS NULL FROM operations WHERE id = \(first.id)") == "t")
    }

    @Test("a reference already recorded is the one every later create is told to use")
    func recordedReferenceWins() async throws {
        let db = try await TestDatabase.create()
        let payment = try #require(try await db.database.recordRequested(command(), newPaymentId: newId(), idempotencyKey: nil).payment)
        let op = try #require(try await db.database.claimOperations(owner: "a", limit: 1, lease: .seconds(30)).first)
        #expect(try await db.database.recordProcessorReference(op.lease, paymentId: payment.paymentId, reference: "pi_first") == "pi_first")
        #expect(try await db.database.recordProcessorReference(op.lease, paymentId: payment.paymentId, reference: "pi_second") == "pi_first")
    }

    @Test("a dispatch is refused once the payment left REQUESTED")
    func dispatchAfterVoid() async throws {
        let db = try await TestDatabase.create()
        let payment = try #require(try await db.database.recordRequested(command(), newPaymentId: newId(), idempotencyKey: nil).payment)
        let op = try #require(try await db.database.claimOperations(owner: "a", limit: 1, lease: .seconds(30)).first)
        _ = try await db.database.withConnection(rerun: .asIs) { tx throws(StoreError) in
            try tx.execute("UPDATE payments SET status = 'VOIDED' WHERE id = \(payment.paymentId)")
        }
        #expect(try await db.database.recordDispatch(of: op, event: nil) == false)
    }

    @Test("an event arriving while the payment's sync runs queues another sync: the running one may have read already")
    func syncRunningDoesNotSwallowAnEvent() async throws {
        let db = try await TestDatabase.create()
        let payment = try #require(try await db.database.recordRequested(command(), newPaymentId: newId(), idempotencyKey: nil).payment)
        try await settle(db, payment, as: .authorized)
        _ = try await db.column("UPDATE payments SET processor_reference = 'pi_sync' WHERE id = \(payment.paymentId) RETURNING id")
        func notice(_ id: String) -> WebhookNotice {
            WebhookNotice(eventId: id, type: "payment_intent.succeeded", intentId: "pi_sync", paymentId: payment.paymentId,
                          refundId: nil, paymentStatus: .captured, refundStatus: nil)
        }
        _ = try await db.database.receiveWebhook(notice("evt_1"))
        let running = try await db.database.claimOperations(owner: "w", limit: 1, lease: .seconds(30))
        #expect(running.first?.kind == .sync)
        _ = try await db.database.receiveWebhook(notice("evt_2"))
        #expect(try await db.scalar("SELECT count(*) FROM operations WHERE kind = 'sync' AND status = 'queued'") == "2")
        // While one waits, a third event adds nothing.
        _ = try await db.database.receiveWebhook(notice("evt_3"))
        #expect(try await db.scalar("SELECT count(*) FROM operations WHERE kind = 'sync' AND status = 'queued'") == "2")
    }
}
