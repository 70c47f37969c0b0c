import Foundation
import Logging
import Payments
import Store
import StripeGateway
import Testing
import TestSupport
@testable import WorkerActor

/// One operation, one runner: a claim taken over after its lease expired writes nothing, and the heartbeat
/// keeps a lease through calls longer than it. Real PostgreSQL, scripted processor.
@Suite("Lease fencing: stalled runners, heartbeats, the recorded intent")
struct LeaseFencingTests {
    let logger = Logger(label: "fencing-test")

    func setUp() async throws -> (TestDatabase, Payment) { try await requestedPayment() }

    /// A runner whose heartbeat is too slow to save it: the claim's lease in the database is `claimLease`.
    func staleRun(_ db: TestDatabase, _ stripe: FakeStripe, claimLease: Duration) async throws -> Task<Void, Never> {
        let op = try #require(try await db.database.claimOperations(owner: "worker", limit: 1, lease: claimLease).first)
        let runner = OperationExecutor(store: db.database, processor: stripe, lease: .seconds(60), backoff: Backoff(base: .zero, cap: .zero), logger: logger)
        return Task { await runner.run(op) }
    }

    func liveTurn(_ db: TestDatabase, _ stripe: FakeStripe) async throws {
        let runner = OperationExecutor(store: db.database, processor: stripe, lease: .seconds(30), backoff: Backoff(base: .zero, cap: .zero), logger: logger)
        // The same owner name: two runners of one process are told apart by their generation.
        for op in try await db.database.claimOperations(owner: "worker", limit: 1, lease: .seconds(30)) { await runner.run(op) }
    }

    @Test("a runner stalled in its create past the lease writes nothing; the claim that took over authorizes once")
    func stalledCreateIsFencedOut() async throws {
        let (db, payment) = try await setUp()
        let stripe = FakeStripe()
        await stripe.setCreateDelay(.seconds(2))
        let stale = try await staleRun(db, stripe, claimLease: .seconds(1))
        try await Task.sleep(for: .milliseconds(1200))
        // Lease expired; the next claim runs (its create replays the same intent, as the same key does at Stripe).
        await stripe.setCreateDelay(.zero)
        try await liveTurn(db, stripe)
        await stale.value
        let stored = try #require(try await db.database.payment(id: payment.paymentId))
        #expect(stored.status == .authorized)
        #expect(await stripe.confirms == ["\(payment.paymentId):authorize:confirm"])
        #expect(await !stripe.calls.contains { if case .cancel = $0 { true } else { false } })
        #expect(try await db.scalar("SELECT status || ' ' || lease_generation FROM operations") == "done 2")
        #expect(try await db.column("SELECT type FROM events ORDER BY seq") == ["payment-requested", "payment-succeeded"])
    }

    @Test("a stale runner whose intent is not the recorded one cancels it; the payment is authorized on the recorded intent")
    func staleOrphanIsCancelled() async throws {
        let (db, payment) = try await setUp()
        let stripe = FakeStripe()
        await stripe.setCreateDelay(.seconds(2))
        let stale = try await staleRun(db, stripe, claimLease: .seconds(1))
        try await Task.sleep(for: .milliseconds(1200))
        // As if an earlier create had an unknown outcome: the live claim uses the next create key.
        _ = try await db.column("UPDATE operations SET create_attempt = 1 RETURNING id")
        await stripe.setCreateDelay(.zero)
        try await liveTurn(db, stripe)
        await stale.value
        let stored = try #require(try await db.database.payment(id: payment.paymentId))
        let calls = await stripe.calls
        #expect(stored.status == .authorized)
        #expect(stored.processorReference?.hasSuffix("_1") == true)
        let cancels = calls.compactMap { if case .cancel(let id, let key) = $0 { "\(id) \(key)" } else { nil } }
        #expect(cancels.count == 1)
        #expect(cancels.first?.hasSuffix("\(payment.paymentId):authorize:create:0:cancel") == true)
        #expect(await stripe.confirms == ["\(payment.paymentId):authorize:confirm"])
    }

    @Test("the heartbeat holds the lease through a confirm three times longer than it; nobody else claims it")
    func heartbeatCoversLongCalls() async throws {
        let (db, payment) = try await setUp()
        let stripe = FakeStripe()
        await stripe.setConfirmDelay(.seconds(3))
        let op = try #require(try await db.database.claimOperations(owner: "worker", limit: 1, lease: .seconds(1)).first)
        let runner = OperationExecutor(store: db.database, processor: stripe, lease: .seconds(1), backoff: Backoff(), logger: logger)
        let running = Task { await runner.run(op) }
        var stolen = 0
        for _ in 0..<14 {
            try await Task.sleep(for: .milliseconds(200))
            stolen += try await db.database.claimOperations(owner: "other", limit: 1, lease: .seconds(30)).count
        }
        await running.value
        #expect(stolen == 0)
        #expect(try await db.database.payment(id: payment.paymentId)?.status == .authorized)
        #expect(await stripe.confirms.count == 1)
    }

    @Test("an idempotency_error on our own confirm key is read back, never a decline")
    func idempotencyErrorIsReadBack() async throws {
        let (db, payment) = try await setUp()
        let stripe = FakeStripe()
        await stripe.script(
            confirm: [.unknown(StripeCallFailure(httpStatus: 400, code: "idempotency_error", message: "keys for idempotent requests…"))],
            retrieve: [.success(FakeStripe.intent("pi_x", .requiresCapture))])
        try await liveTurn(db, stripe)
        let stored = try #require(try await db.database.payment(id: payment.paymentId))
        #expect(stored.status == .authorized)
        #expect(stored.failureReason == nil)
    }

    @Test("a 401 leaves the payment REQUESTED and its operation queued: a configuration fault, not a decline")
    func refusedCredentialsAreNoDecline() async throws {
        let (db, payment) = try await setUp()
        let stripe = FakeStripe()
        let refused = StripeResult<StripePaymentIntent>.retryable(
            StripeCallFailure(httpStatus: 401, code: "credentials_refused", message: "Invalid API Key provided"))
        await stripe.script(create: [refused, refused])
        try await liveTurn(db, stripe)
        #expect(try await db.database.payment(id: payment.paymentId)?.status == .requested)
        #expect(try await db.scalar("SELECT status FROM operations") == "queued")
        try await Task.sleep(for: .milliseconds(20))
        try await liveTurn(db, stripe)
        try await Task.sleep(for: .milliseconds(20))
        try await liveTurn(db, stripe)
        #expect(try await db.database.payment(id: payment.paymentId)?.status == .authorized)
    }
}

@Suite("Credential status: a refused key pauses the worker to one probe per backoff period")
struct CredentialStatusTests {
    @Test func probesBackOffAndAnyOtherAnswerResumes() {
        let status = CredentialStatus()
        let start = ContinuousClock.now
        #expect(status.claimable(16, at: start) == 16)
        status.note(status: 401, at: start)
        #expect(status.isRefused)
        #expect(status.claimable(16, at: start) == 0)
        // Calls that were in flight answer 401 too: one doubling per period, not one per answer.
        status.note(status: 401, at: start + .milliseconds(10))
        #expect(status.claimable(16, at: start + .seconds(1)) == 1)
        #expect(status.claimable(16, at: start + .seconds(1)) == 0)
        status.note(status: 403, at: start + .seconds(2))
        #expect(status.claimable(16, at: start + .seconds(3)) == 0)
        #expect(status.claimable(16, at: start + .seconds(4)) == 1)
        // Each refused probe doubles the pause before the next, up to 60 s.
        var now = start + .seconds(4)
        var pauses: [Int] = []
        status.note(status: 401, at: now)
        for _ in 0..<8 {
            var probeAt = now
            while status.claimable(16, at: probeAt) == 0 { probeAt += .seconds(1) }
            pauses.append(Int((probeAt - now).components.seconds))
            now = probeAt + .milliseconds(100)
            status.note(status: 401, at: now)
        }
        #expect(pauses == [4, 8, 16, 32, 60, 60, 60, 60], "\(pauses)")
        status.note(status: 402, at: now)
        #expect(!status.isRefused)
        #expect(status.claimable(16, at: now) == 16)
    }
}
