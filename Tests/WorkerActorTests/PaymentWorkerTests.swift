import Foundation
import Logging
import Payments
import Store
import StripeGateway
import ServiceLifecycle
import Testing
import TestSupport
@testable import WorkerActor

/// The worker driven by a scripted processor, against a real PostgreSQL.
@Suite("Payment worker with a fake processor")
struct PaymentWorkerTests {
    let logger = Logger(label: "worker-test")
    static let noDelay = Backoff(base: .milliseconds(1), cap: .milliseconds(1))

    func setUp() async throws -> (TestDatabase, Payment) { try await requestedPayment() }

    /// Claims and runs whatever is due once, as one worker turn.
    func turn(_ db: TestDatabase, _ stripe: FakeStripe) async throws {
        let runner = OperationExecutor(
            store: db.database, processor: stripe, lease: .seconds(30), backoff: Self.noDelay, searchLag: .zero, logger: logger)
        for op in try await db.database.claimOperations(owner: "test", limit: 10, lease: .seconds(30)) {
            await runner.run(op)
        }
    }

    @Test("create unconfirmed, record its id, confirm by id with deterministic keys → AUTHORIZED")
    func authorizes() async throws {
        let (db, payment) = try await setUp()
        let stripe = FakeStripe()
        try await turn(db, stripe)
        let id = payment.paymentId
        let calls = await stripe.calls
        #expect(calls.count == 2)
        #expect(calls.first == .create(key: "\(id):authorize:create:0"))
        guard case .confirm(let intentId, let key) = calls.last else { Issue.record("no confirm"); return }
        #expect(key == "\(id):authorize:confirm")
        let stored = try #require(try await db.database.payment(id: id))
        #expect(stored.status == .authorized)
        #expect(stored.processorReference == intentId)
        #expect(try await db.column("SELECT type FROM events ORDER BY seq") == ["payment-requested", "payment-succeeded"])
    }

    @Test("a 500 on confirm is settled by reading the intent back, not by guessing")
    func unknownConfirmReadsBack() async throws {
        let (db, payment) = try await setUp()
        let stripe = FakeStripe()
        await stripe.script(
            confirm: [.unknown(StripeCallFailure(httpStatus: 500, code: "api_error", message: "boom"))],
            retrieve: [.success(FakeStripe.intent("pi_x", .requiresCapture))])
        try await turn(db, stripe)
        let stored = try #require(try await db.database.payment(id: payment.paymentId))
        #expect(stored.status == .authorized)
        #expect(await stripe.calls.contains(.retrieve(id: stored.processorReference ?? "")))
    }

    @Test("an unknown confirm whose read-back fails stays REQUESTED and is retried with the same key")
    func unknownStaysRequested() async throws {
        let (db, payment) = try await setUp()
        let stripe = FakeStripe()
        let down = StripeResult<StripePaymentIntent>.unknown(StripeCallFailure(httpStatus: nil, code: "timeout", message: "no answer"))
        await stripe.script(confirm: [down], retrieve: [down])
        try await turn(db, stripe)
        #expect(try await db.database.payment(id: payment.paymentId)?.status == .requested)
        #expect(try await db.scalar("SELECT status FROM operations") == "queued")
        try await Task.sleep(for: .milliseconds(20))
        try await turn(db, stripe)
        #expect(try await db.database.payment(id: payment.paymentId)?.status == .authorized)
        let confirms = await stripe.calls.compactMap { if case .confirm(_, let key) = $0 { key } else { nil } }
        #expect(Set(confirms) == ["\(payment.paymentId):authorize:confirm"])
        #expect(await stripe.calls.filter { if case .create = $0 { true } else { false } }.count == 1)
    }

    @Test("a create keeps its key through retryable and unknown answers; only a replayed 500 with no intent found moves to the next key")
    func createKeys() async throws {
        let (db, payment) = try await setUp()
        let stripe = FakeStripe()
        var saved = StripeCallFailure(httpStatus: 500, code: "api_error", message: "boom")
        saved.replayed = true
        await stripe.script(create: [
            .retryable(StripeCallFailure(httpStatus: 429, code: "rate_limit", message: "slow down")),
            .unknown(StripeCallFailure(httpStatus: nil, code: "empty_reply", message: "dropped")),
            .unknown(saved),
        ])
        for _ in 0..<4 {
            try await turn(db, stripe)
            try await Task.sleep(for: .milliseconds(20))
        }
        let creates = await stripe.calls.compactMap { if case .create(let key) = $0 { key } else { nil } }
        let id = payment.paymentId
        #expect(creates == ["\(id):authorize:create:0", "\(id):authorize:create:0", "\(id):authorize:create:0", "\(id):authorize:create:1"])
        #expect(try await db.database.payment(id: id)?.status == .authorized)
    }

    @Test("a decline ends FAILED with the catalog reason and the decline code")
    func declines() async throws {
        let (db, payment) = try await setUp()
        let stripe = FakeStripe()
        await stripe.script(confirm: [.declined(
            StripeErrorBody(type: "card_error", code: "card_declined", declineCode: "insufficient_funds"), paymentIntent: nil)])
        try await turn(db, stripe)
        let stored = try #require(try await db.database.payment(id: payment.paymentId))
        #expect(stored.status == .failed)
        #expect(stored.failureReason == .insufficientFunds)
        #expect(stored.declineCode == "insufficient_funds")
        #expect(try await db.column("SELECT type FROM events ORDER BY seq") == ["payment-requested", "payment-failed"])
    }

    @Test("the worker actor drains a burst within its concurrency, found by its sweep")
    func workerDrainsBurst() async throws {
        let db = try await TestDatabase.create(poolSize: 6)
        for _ in 0..<25 {
            _ = try await db.database.recordRequested(
                AuthorizeCommand(cartId: UUID().uuidString, customerId: nil, amount: 500, currency: "EUR", paymentMethod: "pm_card_visa"),
                newPaymentId: UUID().uuidString.lowercased(), idempotencyKey: nil)
        }
        let worker = PaymentWorker(
            queue: db.database, stripe: FakeStripe(),
            configuration: WorkerConfiguration(concurrency: 4, pollInterval: .seconds(5), owner: "actor-test"),
            committed: nil, backoff: Self.noDelay, logger: logger)
        let running = Task { try await worker.run() }
        let deadline = ContinuousClock.now + .seconds(20)
        while try await db.scalar("SELECT count(*) FROM payments WHERE status = 'AUTHORIZED'") != "25", ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        running.cancel()
        _ = try? await running.value
        #expect(try await db.scalar("SELECT count(*) FROM payments WHERE status = 'AUTHORIZED'") == "25")
        #expect(try await db.scalar("SELECT count(*) FROM operations WHERE status = 'queued'") == "0")
    }

    @Test("a graceful stop waits for calls in flight up to its drain time-out, then cancels them and gives their leases back")
    func drainTimeout() async throws {
        let (db, payment) = try await setUp()
        let stripe = FakeStripe()
        await stripe.setConfirmDelay(.seconds(60))
        let worker = PaymentWorker(
            queue: db.database, stripe: stripe,
            configuration: WorkerConfiguration(
                concurrency: 2, pollInterval: .seconds(5), owner: "drain-test", drainTimeout: .milliseconds(300)),
            committed: nil, backoff: Self.noDelay, logger: logger)
        let group = ServiceGroup(services: [worker], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        let running = Task { try await group.run() }
        let deadline = ContinuousClock.now + .seconds(10)
        while await !stripe.calls.contains(where: { if case .confirm = $0 { true } else { false } }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let stopping = ContinuousClock.now
        await group.triggerGracefulShutdown()
        try await running.value
        let took = ContinuousClock.now - stopping
        #expect(took >= .milliseconds(300), "stopped before the drain time-out: \(took)")
        #expect(took < .seconds(5), "the call in flight was not cancelled: \(took)")
        // The cut-off confirm is an unknown outcome: the payment stays REQUESTED, its operation queued and free.
        #expect(try await db.database.payment(id: payment.paymentId)?.status == .requested)
        #expect(try await db.scalar("SELECT count(*) FROM operations WHERE status = 'queued' AND lease_owner IS NULL") == "1")
    }

    @Test("a graceful stop with nothing in flight is immediate")
    func stopsAtOnceWhenIdle() async throws {
        let db = try await TestDatabase.create()
        let worker = PaymentWorker(
            queue: db.database, stripe: FakeStripe(),
            configuration: WorkerConfiguration(concurrency: 2, pollInterval: .milliseconds(50), owner: "idle-test", drainTimeout: .seconds(30)),
            committed: nil, backoff: Self.noDelay, logger: logger)
        let group = ServiceGroup(services: [worker], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        let running = Task { try await group.run() }
        try await Task.sleep(for: .milliseconds(200))
        let stopping = ContinuousClock.now
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(ContinuousClock.now - stopping < .seconds(5))
    }

    @Test("a database error while recording is put on the operation, which is given back for a retry that reads back")
    func databaseErrorIsRecordedAndRetried() async throws {
        let (db, payment) = try await setUp()
        // Recording AUTHORIZED is refused by the database (a stand-in for any error that is not an outage).
        _ = try await db.column("ALTER TABLE payments ADD CONSTRAINT refuse_authorized CHECK (status <> 'AUTHORIZED') NOT VALID")
        let stripe = FakeStripe()
        try await turn(db, stripe)
        #expect(try await db.database.payment(id: payment.paymentId)?.status == .requested)
        let row = try await db.column(
            "SELECT status || ' ' || coalesce(lease_owner, '-') || ' ' || coalesce(last_error, '-') FROM operations WHERE payment_id = \(payment.paymentId)")
        #expect(row.count == 1)
        #expect(row.first??.hasPrefix("queued - database error") == true, "\(row)")
        #expect(row.first??.contains("refuse_authorized") == true, "\(row)")

        // Once the database accepts it, the retry reads the intent back (it is held) instead of confirming again.
        _ = try await db.column("ALTER TABLE payments DROP CONSTRAINT refuse_authorized")
        try await Task.sleep(for: .milliseconds(20))
        try await turn(db, stripe)
        #expect(try await db.database.payment(id: payment.paymentId)?.status == .authorized)
        let confirms = await stripe.calls.filter { if case .confirm = $0 { true } else { false } }
        #expect(confirms.count == 1)
    }
}
