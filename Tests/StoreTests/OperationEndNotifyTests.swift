import Foundation
import Logging
import Payments
import Store
import Testing
import TestSupport

/// An operation's end reaches every instance's listeners, so `Prefer: wait` requests on other instances hear
/// of it, including an end that writes no event (a refused capture records only `lastError`).
@Suite("An operation's end notifies")
struct OperationEndNotifyTests {
    @Test("a refused capture's end (no event) notifies at once after a quiet spell, not after the 20 ms the notifier groups later commits in")
    func endWithoutAnEvent() async throws {
        let db = try await TestDatabase.create()
        let signal = EventSignal()
        var wakes = signal.subscribe().makeAsyncIterator()
        let listener = NotificationListener(url: db.url, channel: EventFeed.channel, logger: Logger(label: "test-listener"), onNotify: signal.notify)
        listener.start()
        // A lost notification ends the stream instead of hanging the test.
        let watchdog = Task {
            try? await Task.sleep(for: .seconds(20))
            signal.close()
        }
        defer {
            watchdog.cancel()
            listener.stop()
            signal.close()
        }
        #expect(await wakes.next() != nil, "no wake-up on connecting")
        var lags: [Duration] = []
        for _ in 0..<5 {
            try await Task.sleep(for: .milliseconds(60))
            let payment = try #require(try await db.database.recordRequested(command(), newPaymentId: newId(), idempotencyKey: nil).payment)
            let op = try #require(try await db.scalar("SELECT id FROM operations WHERE payment_id = \(payment.paymentId)").flatMap { Int($0) })
            let refusal = PaymentError(operation: "capture", code: "payment_intent_unexpected_state", message: "refused", at: "2026-01-01T00:00:00.000Z")
            let started = ContinuousClock.now
            try await db.database.finishOperation(
                OperationLease(operationId: op, generation: 0), paymentId: payment.paymentId, change: PaymentChange(lastError: refusal),
                events: [], resolution: .failed)
            #expect(await wakes.next() != nil, "the end was not notified")
            lags.append(ContinuousClock.now - started)
        }
        #expect(try await db.scalar("SELECT count(*) FROM events") == "0")
        let median = lags.sorted()[lags.count / 2]
        #expect(median < .milliseconds(15), "\(lags)")
    }
}
