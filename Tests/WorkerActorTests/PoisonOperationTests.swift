import Foundation
import Logging
import Payments
import Store
import StripeGateway
import Testing
import TestSupport
@testable import WorkerActor

/// Operations that fail for a reason that will not heal: recorded once, never retried, and blocking nothing.
@Suite("Poison operations")
struct PoisonOperationTests {
    let logger = Logger(label: "poison-test")

    func authorizeOne(_ db: TestDatabase, method: String = "pm_card_visa") async throws -> Payment {
        let command = AuthorizeCommand(cartId: UUID().uuidString, customerId: nil, amount: 1000, currency: "USD", paymentMethod: method)
        guard case .created(let payment, _) = try await db.database.recordRequested(command, newPaymentId: UUID().uuidString.lowercased(), idempotencyKey: nil)
        else { throw HarnessError(message: "not created") }
        return payment
    }

    /// One worker turn: claims what is due (backoff zero, so a retry would be due again at once) and runs it.
    @discardableResult
    func turn(_ db: TestDatabase, _ stripe: FakeStripe) async throws -> Int {
        let runner = OperationExecutor(
            store: db.database, processor: stripe, lease: .seconds(30), backoff: Backoff(base: .zero, cap: .zero), logger: logger)
        let claimed = try await db.database.claimOperations(owner: "test", limit: 10, lease: .seconds(30))
        for op in claimed { await runner.run(op) }
        return claimed.count
    }

    static let invalid = StripeErrorBody(type: "invalid_request_error", code: "parameter_invalid_integer", message: "Invalid integer")

    @Test("a confirm the processor refuses for good ends FAILED / PROCESSING_ERROR, is not retried, and the next payment goes through")
    func refusedAuthorization() async throws {
        let db = try await TestDatabase.create()
        let poison = try await authorizeOne(db)
        let stripe = FakeStripe()
        await stripe.script(confirm: [.rejected(status: 400, Self.invalid)])
        try await turn(db, stripe)
        let healthy = try await authorizeOne(db)
        try await turn(db, stripe)
        #expect(try await turn(db, stripe) == 0, "nothing is left to retry")

        let failed = try #require(try await db.database.payment(id: poison.paymentId))
        #expect(failed.status == .failed)
        #expect(failed.failureReason == .processingError)
        #expect(failed.declineCode == "parameter_invalid_integer")
        #expect(try await db.database.payment(id: healthy.paymentId)?.status == .authorized)
        #expect(try await db.scalar("SELECT count(*) FROM operations WHERE status = 'queued'") == "0")
    }

    @Test("an unknown confirm whose intent the processor does not have (404) ends FAILED, not retried forever")
    func vanishedIntent() async throws {
        let db = try await TestDatabase.create()
        let payment = try await authorizeOne(db)
        let stripe = FakeStripe()
        await stripe.script(
            confirm: [.unknown(StripeCallFailure(httpStatus: 500, code: "api_error", message: "boom"))],
            retrieve: [.rejected(status: 404, StripeErrorBody(type: "invalid_request_error", code: "resource_missing"))])
        try await turn(db, stripe)
        #expect(try await turn(db, stripe) == 0)
        let stored = try #require(try await db.database.payment(id: payment.paymentId))
        #expect(stored.status == .failed)
        #expect(stored.failureReason == .processingError)
        #expect(stored.declineCode == "resource_missing")
    }

    @Test("a refused capture is kept in lastError, the payment keeps the state the processor reports, and it is not retried")
    func refusedCapture() async throws {
        let db = try await TestDatabase.create()
        let payment = try await authorizeOne(db)
        let stripe = FakeStripe()
        try await turn(db, stripe)
        #expect(try await db.database.payment(id: payment.paymentId)?.status == .authorized)

        _ = try await db.database.requestCapture(paymentId: payment.paymentId, amount: nil, by: .test)
        await stripe.scriptCapture([.rejected(status: 400, StripeErrorBody(
            type: "invalid_request_error", code: "amount_too_large", message: "more than capturable"))])
        try await turn(db, stripe)
        #expect(try await turn(db, stripe) == 0, "not retried")
        let stored = try #require(try await db.database.payment(id: payment.paymentId))
        #expect(stored.status == .authorized)
        #expect(stored.lastError?.operation == "capture")
        #expect(stored.lastError?.code == "amount_too_large")
        #expect(try await db.scalar("SELECT status FROM operations WHERE kind = 'capture'") == "failed")
        let captures = await stripe.calls.filter { if case .capture = $0 { true } else { false } }
        #expect(captures.count == 1)
    }
}
