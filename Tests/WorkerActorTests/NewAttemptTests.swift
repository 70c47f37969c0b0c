import Foundation
import Logging
import Payments
import Store
import StripeGateway
import Testing
import TestSupport
@testable import WorkerActor

/// A refused capture or void blocks nothing; a saved 500 proved harmless moves to the next key; answers
/// that cannot be read are parked, never retried without end. Real PostgreSQL, scripted processor.
@Suite("New attempts: refusals, saved 500s, parked operations")
struct NewAttemptTests {
    let logger = Logger(label: "attempt-test")
    typealias Result = StripeResult<StripePaymentIntent>

    func setUp() async throws -> (TestDatabase, Payment) { try await requestedPayment() }

    func turn(_ db: TestDatabase, _ stripe: FakeStripe) async throws {
        let runner = OperationExecutor(
            store: db.database, processor: stripe, lease: .seconds(30), backoff: Backoff(base: .zero, cap: .zero), searchLag: .zero, logger: logger)
        for op in try await db.database.claimOperations(owner: "worker", limit: 10, lease: .seconds(30)) { await runner.run(op) }
        try await Task.sleep(for: .milliseconds(10))
    }

    static let refusal = Result.rejected(status: 400, StripeErrorBody(
        type: "invalid_request_error", code: "payment_intent_unexpected_state", message: "This PaymentIntent could not be captured"))

    func authorized() async throws -> (TestDatabase, Payment, FakeStripe) {
        let (db, payment) = try await setUp()
        let stripe = FakeStripe()
        try await turn(db, stripe)
        #expect(try await db.database.payment(id: payment.paymentId)?.status == .authorized)
        return (db, payment, stripe)
    }

    func isQueued(_ outcome: LifecycleOutcome) -> Bool { if case .queued = outcome { true } else { false } }

    @Test("a refused capture ends failed with lastError; asking again is a new attempt under …:capture:capture:1 that succeeds and clears it")
    func refusedCaptureThenCaptureAgain() async throws {
        let (db, payment, stripe) = try await authorized()
        let id = payment.paymentId
        await stripe.scriptCapture([Self.refusal])
        #expect(isQueued(try await db.database.requestCapture(paymentId: id, amount: nil, by: .test)))
        try await turn(db, stripe)
        var stored = try #require(try await db.database.payment(id: id))
        #expect(stored.status == .authorized)
        #expect(stored.lastError?.operation == "capture")
        #expect(try await db.scalar("SELECT status FROM operations WHERE kind = 'capture'") == "failed")

        await stripe.scriptCapture([.success(FakeStripe.intent(stored.processorReference!, .succeeded))])
        #expect(isQueued(try await db.database.requestCapture(paymentId: id, amount: nil, by: .test)))
        try await turn(db, stripe)
        stored = try #require(try await db.database.payment(id: id))
        #expect(stored.status == .captured)
        #expect(stored.amountCaptured == 1000)
        #expect(stored.lastError == nil)
        let captures = await stripe.calls.compactMap { if case .capture(_, let key) = $0 { key } else { nil } }
        #expect(captures == ["\(id):capture:capture", "\(id):capture:capture:1"])
        // The new attempt read the intent back before it sent.
        let calls = await stripe.calls
        let second = try #require(calls.lastIndex { if case .capture = $0 { true } else { false } })
        #expect(calls[second - 1] == .retrieve(id: stored.processorReference!))
    }

    @Test("a refused capture blocks nothing: a void then succeeds, and the capture's lastError stays")
    func refusedCaptureThenVoid() async throws {
        let (db, payment, stripe) = try await authorized()
        await stripe.scriptCapture([Self.refusal])
        _ = try await db.database.requestCapture(paymentId: payment.paymentId, amount: nil, by: .test)
        try await turn(db, stripe)
        #expect(isQueued(try await db.database.requestVoid(paymentId: payment.paymentId, by: .test)))
        try await turn(db, stripe)
        let stored = try #require(try await db.database.payment(id: payment.paymentId))
        #expect(stored.status == .voided)
        #expect(stored.lastError?.operation == "capture")
    }

    @Test("a refused void answers 202 when asked again (not 200 while AUTHORIZED), and the new attempt voids")
    func refusedVoidThenVoidAgain() async throws {
        let (db, payment, stripe) = try await authorized()
        let id = payment.paymentId
        await stripe.scriptCancel([Self.refusal])
        _ = try await db.database.requestVoid(paymentId: id, by: .test)
        try await turn(db, stripe)
        #expect(try await db.database.payment(id: id)?.status == .authorized)
        #expect(isQueued(try await db.database.requestVoid(paymentId: id, by: .test)))
        try await turn(db, stripe)
        let stored = try #require(try await db.database.payment(id: id))
        #expect(stored.status == .voided)
        #expect(stored.lastError == nil)
        let cancels = await stripe.calls.compactMap { if case .cancel(_, let key) = $0 { key } else { nil } }
        #expect(cancels == ["\(id):void:cancel", "\(id):void:cancel:1"])
    }

    @Test("a confirm's saved 500 with the intent still unconfirmed moves to the next confirm key")
    func replayedFiveHundredMovesToTheNextKey() async throws {
        let (db, payment) = try await setUp()
        let stripe = FakeStripe()
        var saved = StripeCallFailure(httpStatus: 500, code: "api_error", message: "saved 500")
        saved.replayed = true
        await stripe.script(confirm: [.unknown(saved)])
        try await turn(db, stripe)
        #expect(try await db.database.payment(id: payment.paymentId)?.status == .requested)
        try await turn(db, stripe)
        #expect(try await db.database.payment(id: payment.paymentId)?.status == .authorized)
        let base = "\(payment.paymentId):authorize:confirm"
        #expect(await stripe.confirms == [base, base + ":1"])
    }

    @Test("a create whose key replays a saved 500 finds the intent it made by searching, and confirms that one")
    func savedCreateFiveHundredIsFoundBySearch() async throws {
        let (db, payment) = try await setUp()
        let stripe = FakeStripe()
        var saved = StripeCallFailure(httpStatus: 500, code: "api_error", message: "saved 500")
        saved.replayed = true
        var made = FakeStripe.intent("pi_made", .requiresPaymentMethod)
        made.metadata = ["payment_id": payment.paymentId]
        await stripe.script(create: [.unknown(saved)])
        await stripe.setSearchResults([made])
        try await turn(db, stripe)
        let stored = try #require(try await db.database.payment(id: payment.paymentId))
        #expect(stored.status == .authorized)
        #expect(stored.processorReference == "pi_made")
        #expect(await stripe.calls.filter { if case .create = $0 { true } else { false } }.count == 1)
    }

    @Test("creates whose keys replay saved 500s, with no intent found, use at most 3 keys; then the authorization is parked")
    func createKeysAreBounded() async throws {
        let (db, payment) = try await setUp()
        let stripe = FakeStripe()
        var saved = StripeCallFailure(httpStatus: 500, code: "api_error", message: "saved 500")
        saved.replayed = true
        await stripe.script(create: Array(repeating: .unknown(saved), count: 6))
        for _ in 0..<5 { try await turn(db, stripe) }
        let creates = await stripe.calls.compactMap { if case .create(let key) = $0 { key } else { nil } }
        #expect(creates == (0..<3).map { "\(payment.paymentId):authorize:create:\($0)" })
        #expect(try await db.scalar("SELECT status FROM operations") == "parked")
        let stored = try #require(try await db.database.payment(id: payment.paymentId))
        #expect(stored.status == .requested)
        #expect(stored.lastError?.operation == "authorize")
        #expect(stored.lastError?.code == "create_keys_exhausted")
        // Parked before any intent was recorded: the payment can be voided at once, freeing its cart.
        guard case .done(let voided) = try await db.database.requestVoid(paymentId: payment.paymentId, by: .test) else {
            Issue.record("not voided at once"); return
        }
        #expect(voided.status == .voided)
    }

    @Test("an unreadable answer to a create never creates again: the same key is asked until it reads, bounded")
    func unreadableCreateKeepsItsKey() async throws {
        let (db, payment) = try await setUp()
        let stripe = FakeStripe()
        let unreadable = Result.unknown(StripeCallFailure(httpStatus: 200, code: StripeCallFailure.unreadable, message: "it lacks `status`"))
        await stripe.script(create: [unreadable, unreadable])
        for _ in 0..<3 { try await turn(db, stripe) }
        let creates = await stripe.calls.compactMap { if case .create(let key) = $0 { key } else { nil } }
        #expect(Set(creates) == ["\(payment.paymentId):authorize:create:0"])
        #expect(try await db.database.payment(id: payment.paymentId)?.status == .authorized)
    }

    @Test("an intent read back without a field the decision needs is retried a bounded number of times, then parked")
    func missingFieldIsParked() async throws {
        let (db, payment) = try await setUp()
        let stripe = FakeStripe()
        var lacking = FakeStripe.intent("pi_lacking", .succeeded)
        lacking.amountReceived = nil
        await stripe.setDefaultStatus(.succeeded)
        await stripe.script(confirm: [.success(lacking)], retrieve: Array(repeating: .success(lacking), count: 8))
        for _ in 0..<(ClaimedOperation.protocolFaultAttempts + 2) { try await turn(db, stripe) }
        #expect(try await db.scalar("SELECT status FROM operations") == "parked")
        let stored = try #require(try await db.database.payment(id: payment.paymentId))
        #expect(stored.status == .requested)
        #expect(stored.amountCaptured == 0)
        #expect(stored.lastError?.code == "processor_protocol_fault")
        #expect(stored.lastError?.message.contains("amount_received") == true)
    }

    @Test("only unreadable answers count towards parking: other retries before one do not park the operation")
    func otherRetriesDoNotCount() async throws {
        let (db, payment) = try await setUp()
        let stripe = FakeStripe()
        let busy = Result.retryable(StripeCallFailure(httpStatus: 429, code: "rate_limited", message: "slow down"))
        var lacking = FakeStripe.intent("pi_lacking", .succeeded)
        lacking.amountReceived = nil
        await stripe.script(confirm: Array(repeating: busy, count: 5) + [.success(lacking)], retrieve: [.success(lacking)])
        for _ in 0..<7 { try await turn(db, stripe) }
        #expect(try await db.scalar("SELECT status || ' ' || protocol_faults FROM operations") == "queued 2")
        #expect(try await db.database.payment(id: payment.paymentId)?.status == .requested)
    }

    @Test("a refund's saved 500 moves to a new key only when its list was read and lacks it; a failed list keeps the key")
    func refundNeverDoubledAfterAFailedList() async throws {
        let (db, payment) = try await setUp()
        let stripe = FakeStripe()
        await stripe.setDefaultStatus(.succeeded)
        try await turn(db, stripe)
        #expect(try await db.database.payment(id: payment.paymentId)?.status == .captured)
        _ = try await db.database.requestRefund(
            paymentId: payment.paymentId, amount: 400, reason: nil, newRefundId: UUID().uuidString.lowercased(), idempotencyKey: nil, by: .test)
        var saved = StripeCallFailure(httpStatus: 500, code: "api_error", message: "saved 500")
        saved.replayed = true
        let listFailed = StripeResult<[StripeRefund]>.unknown(StripeCallFailure(httpStatus: 503, code: "api_error", message: "down"))
        await stripe.scriptRefunds(create: [.unknown(saved), .unknown(saved)], list: [listFailed, .success([])])
        try await turn(db, stripe)
        #expect(try await db.scalar("SELECT key_attempt FROM operations WHERE kind = 'refund'") == "0")
        try await turn(db, stripe)
        #expect(try await db.scalar("SELECT key_attempt FROM operations WHERE kind = 'refund'") == "1")
        try await turn(db, stripe)
        let base = try #require(try await db.scalar("SELECT idempotency_key FROM operations WHERE kind = 'refund'"))
        #expect(await stripe.refundKeys == ["\(base):refund", "\(base):refund", "\(base):refund:1"])
        #expect(try await db.database.payment(id: payment.paymentId)?.amountRefunded == 400)
    }
}
