import Payments
import Store
import Testing
import TestSupport

@Suite("Intake: one live payment per cart")
struct IntakeTests {
    @Test("new, replay, conflict, and a new payment after FAILED or VOIDED")
    func cartRules() async throws {
        let db = try await TestDatabase.create()
        let cart = newId()
        let first = try await db.database.recordRequested(command(cart: cart), newPaymentId: newId(), idempotencyKey: nil)
        #expect(first.isCreated)
        #expect(first.payment?.status == .requested)
        let replay = try await db.database.recordRequested(command(cart: cart), newPaymentId: newId(), idempotencyKey: nil)
        #expect(replay.isReplayed)
        #expect(replay.payment?.paymentId == first.payment?.paymentId)
        #expect(try await db.database.recordRequested(command(cart: cart, amount: 2000), newPaymentId: newId(), idempotencyKey: nil).isConflict)

        try await settle(db, first.payment!, as: .failed)
        let replayOfFailed = try await db.database.recordRequested(command(cart: cart), newPaymentId: newId(), idempotencyKey: nil)
        #expect(replayOfFailed.isReplayed)
        #expect(replayOfFailed.payment?.status == .failed)
        let second = try await db.database.recordRequested(command(cart: cart, method: "pm_card_mastercard"), newPaymentId: newId(), idempotencyKey: nil)
        #expect(second.isCreated)

        try await settle(db, second.payment!, as: .voided)
        let third = try await db.database.recordRequested(command(cart: cart, amount: 3000), newPaymentId: newId(), idempotencyKey: nil)
        #expect(third.isCreated)
        #expect(try await db.database.payments(cartId: cart).map(\.paymentId)
            == [third.payment!.paymentId, second.payment!.paymentId, first.payment!.paymentId])
    }

    @Test("a payment and its authorize operation are written together")
    func writesOperation() async throws {
        let db = try await TestDatabase.create()
        let outcome = try await db.database.recordRequested(command(), newPaymentId: newId(), idempotencyKey: nil)
        let id = try #require(outcome.payment?.paymentId)
        #expect(try await db.column("SELECT kind || ' ' || status || ' ' || idempotency_key FROM operations WHERE payment_id = \(id)")
            == ["authorize queued \(id):authorize"])
    }

    @Test("an authorization born leased: the commit that records the payment writes the lease, the dispatch and payment-requested")
    func bornLeased() async throws {
        let db = try await TestDatabase.create()
        let lease = WorkerLease(owner: "worker-here", duration: .seconds(30))
        let cart = newId()
        let items = [IntakeCommand(command(cart: cart), newPaymentId: newId(), lease: lease), IntakeCommand(command(), newPaymentId: newId())]
        let outcomes = try await db.database.recordRequested(batch: items)
        guard case .created(let payment, let authorization)? = outcomes[0], case .created(_, let plain)? = outcomes[1] else {
            Issue.record("not created: \(outcomes)"); return
        }
        let claimed = try #require(authorization.claimed)
        #expect(plain.claimed == nil)
        #expect(try await db.column(
            """
            SELECT payment_id || ' ' || lease_owner || ' ' || lease_generation || ' ' || attempts || ' ' || (dispatched_at IS NOT NULL)
                   || ' ' || (lease_until > clock_timestamp() + interval '20 seconds')
            FROM operations WHERE lease_owner IS NOT NULL
            """) == ["\(payment.paymentId) worker-here 1 1 true true"])
        #expect(try await db.column("SELECT type || ' ' || payment_id FROM events") == ["payment-requested \(payment.paymentId)"])
        // Neither a sweep nor a claim by id takes it from its lease.
        #expect(try await db.database.claimOperations(owner: "other", limit: 10, lease: .seconds(30)).map(\.id) == [plain.id])
        #expect(try await db.database.claimOperations(ids: [claimed.id], owner: "other", lease: .seconds(30)).isEmpty)
        // What the runner is handed is what a claim of the same row reads (apart from the claim's own count).
        try await db.database.releaseLeases(owner: "worker-here")
        var reclaimed = try #require(try await db.database.claimOperations(ids: [claimed.id], owner: "worker-here", lease: .seconds(30)).first)
        #expect(reclaimed.generation == 2 && reclaimed.attempts == 2)
        reclaimed.generation = 1
        reclaimed.attempts = 1
        reclaimed.sinceDispatch = .zero
        #expect(reclaimed == claimed)
        // A replay or a conflict is not leased and writes no event.
        let replay = try await db.database.recordRequested(batch: [IntakeCommand(command(cart: cart), newPaymentId: newId(), lease: lease)])
        let conflict = try await db.database.recordRequested(batch: [IntakeCommand(command(cart: cart, amount: 5), newPaymentId: newId(), lease: lease)])
        #expect(replay[0]?.isReplayed == true && conflict[0]?.isConflict == true)
        #expect(try await db.scalar("SELECT count(*) FROM events") == "1")
        #expect(try await db.scalar("SELECT count(*) FROM operations") == "2")
    }

    @Test("idempotency keys replay within their scope and conflict on another body")
    func idempotencyKeys() async throws {
        let db = try await TestDatabase.create()
        let key = IdempotencyKey(scope: "caller-a", key: "k-1")
        let body = command()
        let first = try await db.database.recordRequested(body, newPaymentId: newId(), idempotencyKey: key)
        #expect(first.isCreated)
        let replay = try await db.database.recordRequested(body, newPaymentId: newId(), idempotencyKey: key)
        #expect(replay.payment?.paymentId == first.payment?.paymentId)
        #expect(try await db.database.recordRequested(command(), newPaymentId: newId(), idempotencyKey: key).isConflict)
        let otherScope = try await db.database.recordRequested(command(), newPaymentId: newId(), idempotencyKey: IdempotencyKey(scope: "caller-b", key: "k-1"))
        #expect(otherScope.isCreated)
    }

    @Test("one group commit holds keyed and unkeyed commands: new ones, a key's replay and a key used for another body")
    func keyedGroupCommit() async throws {
        let db = try await TestDatabase.create()
        let key = IdempotencyKey(scope: "caller-a", key: "k-group")
        let keyedBody = command()
        guard case .created(let earlier, _) = try await db.database.recordRequested(keyedBody, newPaymentId: newId(), idempotencyKey: key)
        else { Issue.record("not created"); return }
        let batch = [
            IntakeCommand(command(), newPaymentId: newId()),
            IntakeCommand(keyedBody, newPaymentId: newId(), idempotencyKey: key),
            IntakeCommand(command(), newPaymentId: newId(), idempotencyKey: IdempotencyKey(scope: "caller-a", key: "k-new")),
            IntakeCommand(command(), newPaymentId: newId(), idempotencyKey: IdempotencyKey(scope: "caller-b", key: "k-group")),
            IntakeCommand(command(), newPaymentId: newId(), idempotencyKey: key),
        ]
        let outcomes = try await db.database.recordRequested(batch: batch)
        #expect(outcomes.map { $0?.isCreated } == [true, false, true, true, false])
        #expect(outcomes[1]?.payment?.paymentId == earlier.paymentId)
        #expect(outcomes[4]?.isConflict == true)
        // Each new payment's authorization is the operation the outcome names.
        for case .created(let payment, let authorization)? in outcomes {
            #expect(try await db.scalar("SELECT payment_id FROM operations WHERE id = \(authorization.id) AND kind = 'authorize'") == payment.paymentId)
        }
        #expect(try await db.scalar("SELECT count(*) FROM payments") == "4")
    }

    @Test("twenty identical commands at once make one payment; twenty different ones make one and nineteen conflicts")
    func races() async throws {
        let db = try await TestDatabase.create(poolSize: 10)
        let cart = newId()
        let same = try await withThrowingTaskGroup(of: IntakeOutcome.self) { group in
            for _ in 0..<20 { group.addTask { try await db.database.recordRequested(command(cart: cart), newPaymentId: newId(), idempotencyKey: nil) } }
            return try await group.reduce(into: [IntakeOutcome]()) { $0.append($1) }
        }
        #expect(same.filter(\.isCreated).count == 1)
        #expect(Set(same.compactMap { $0.payment?.paymentId }).count == 1)

        let other = newId()
        let different = try await withThrowingTaskGroup(of: IntakeOutcome.self) { group in
            for i in 0..<20 { group.addTask { try await db.database.recordRequested(command(cart: other, amount: 100 + i), newPaymentId: newId(), idempotencyKey: nil) } }
            return try await group.reduce(into: [IntakeOutcome]()) { $0.append($1) }
        }
        #expect(different.filter(\.isCreated).count == 1)
        #expect(different.filter(\.isConflict).count == 19)
        #expect(try await db.scalar("SELECT count(*) FROM payments") == "2")
    }
}
