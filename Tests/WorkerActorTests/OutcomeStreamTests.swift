import Foundation
import Logging
import Payments
import Store
import StripeGateway
import Testing
import TestSupport
@testable import WorkerActor

/// The worker tells this process's `Prefer: wait` requests of each outcome it has committed. Real PostgreSQL,
/// scripted processor; each notice is checked against the record as it arrives.
@Suite("The worker's outcome stream")
struct OutcomeStreamTests {
    let logger = Logger(label: "outcome-test")

    /// A notice, and what its operation's row and its refund said when the notice arrived.
    struct Seen: Sendable {
        var notice: OutcomeNotice
        var operation: String
        var refund: RefundStatus?
    }

    /// Runs every due operation once, publishing on `outcomes`.
    func turn(_ db: TestDatabase, _ stripe: FakeStripe, _ outcomes: AsyncStream<OutcomeNotice>.Continuation) async throws {
        var runner = OperationExecutor(
            store: db.database, processor: stripe, lease: .seconds(30), backoff: Backoff(base: .zero, cap: .zero), searchLag: .zero, logger: logger)
        runner.outcomes = outcomes
        for op in try await db.database.claimOperations(owner: "worker", limit: 10, lease: .seconds(30)) { await runner.run(op) }
    }

    /// Reads, as each notice arrives, its operation's status and error, and its refund's status.
    func observe(_ notices: AsyncStream<OutcomeNotice>, _ db: TestDatabase) -> Task<[Seen], any Error> {
        Task {
            var seen: [Seen] = []
            for await notice in notices {
                let operation = try await db.scalar(
                    "SELECT status || ' ' || coalesce(last_error, '-') FROM operations WHERE id = \(notice.operationId ?? 0)")
                var refund: RefundStatus?
                if let id = notice.refundId { refund = try await db.database.refund(id: id)?.status }
                seen.append(Seen(notice: notice, operation: operation ?? "missing", refund: refund))
            }
            return seen
        }
    }

    @Test("an authorization, a refused capture, a capture and a refund are each told once their write has committed")
    func concludingWrites() async throws {
        let (db, payment) = try await requestedPayment()
        let (notices, outcomes) = OutcomeNotice.makeStream()
        let observing = observe(notices, db)
        let stripe = FakeStripe()
        try await turn(db, stripe, outcomes)
        let reference = try #require(try await db.database.payment(id: payment.paymentId)?.processorReference)
        await stripe.scriptCapture([NewAttemptTests.refusal])
        _ = try await db.database.requestCapture(paymentId: payment.paymentId, amount: nil, by: .test)
        try await turn(db, stripe, outcomes)
        await stripe.scriptCapture([.success(FakeStripe.intent(reference, .succeeded))])
        _ = try await db.database.requestCapture(paymentId: payment.paymentId, amount: nil, by: .test)
        try await turn(db, stripe, outcomes)
        let refundId = UUID().uuidString.lowercased()
        _ = try await db.database.requestRefund(paymentId: payment.paymentId, amount: 400, reason: nil, newRefundId: refundId, idempotencyKey: nil, by: .test)
        try await turn(db, stripe, outcomes)
        outcomes.finish()

        let seen = try await observing.value
        #expect(seen.map(\.notice.paymentId) == Array(repeating: payment.paymentId, count: 4))
        // The refund's own operation stays queued to read the refund back later; the refund has moved.
        #expect(seen.map(\.operation.first) == ["d", "f", "d", "q"], "\(seen.map(\.operation))")
        #expect(seen.map(\.notice.refundId) == [nil, nil, nil, refundId])
        // An operation's end carries the payment as its statement left it; a refund's record does not.
        #expect(seen.map(\.notice.payment?.status) == [.authorized, .authorized, .captured, nil])
        #expect(seen[1].notice.payment?.lastError?.operation == "capture")
        #expect(seen[0].notice.payment?.processorReference == reference)
        #expect(seen.last?.refund == .processed)
        let kinds = try await db.column("SELECT kind FROM operations WHERE payment_id = \(payment.paymentId) ORDER BY id")
        #expect(kinds == ["authorize", "capture", "capture", "refund"])
        #expect(try await db.database.refund(id: refundId)?.status == .processed)
    }

    @Test("a retry with an error is told too, once its error is on the operation")
    func rescheduleWithAnError() async throws {
        let (db, _) = try await requestedPayment()
        let (notices, outcomes) = OutcomeNotice.makeStream()
        let observing = observe(notices, db)
        let stripe = FakeStripe()
        let down = StripeResult<StripePaymentIntent>.unknown(StripeCallFailure(httpStatus: nil, code: "timeout", message: "no answer"))
        await stripe.script(confirm: [down], retrieve: [down])
        try await turn(db, stripe, outcomes)
        outcomes.finish()
        let seen = try await observing.value
        #expect(seen.count == 1)
        #expect(seen.first?.operation.hasPrefix("queued ") == true && seen.first?.operation != "queued -", "\(seen.map(\.operation))")
    }
}
