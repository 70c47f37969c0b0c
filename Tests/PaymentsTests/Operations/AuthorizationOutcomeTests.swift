import Foundation
@testable import Payments
import Testing

/// What each final word on an authorization writes: the payment's change and its events, in order.
@Suite struct AuthorizationOutcomeTests {
    typealias F = OperationFixtures

    @Test func authorized() {
        let (change, events) = AuthorizationOutcome.authorized(reference: "pi_1").record(for: F.operation(), at: F.time)
        #expect(change == PaymentChange(status: .authorized, processorReference: "pi_1"))
        #expect(events == [
            .paymentSucceeded(paymentId: F.paymentId, orderId: F.orderId, amount: 4999, currency: "EUR",
                              processorReference: "pi_1", succeededAt: F.time),
        ])
    }

    @Test func capturedPublishesSucceededThenCaptured() {
        let op = F.operation(capture: .automatic)
        let (change, events) = AuthorizationOutcome.captured(reference: "pi_1", amount: 4999).record(for: op, at: F.time)
        #expect(change == PaymentChange(status: .captured, amountCaptured: 4999, processorReference: "pi_1"))
        #expect(events == [
            .paymentSucceeded(paymentId: F.paymentId, orderId: F.orderId, amount: 4999, currency: "EUR",
                              processorReference: "pi_1", succeededAt: F.time),
            .paymentCaptured(paymentId: F.paymentId, orderId: F.orderId, amount: 4999, currency: "EUR",
                             processorReference: "pi_1", capturedAt: F.time),
        ])
        #expect(events.map(\.type) == ["payment-succeeded", "payment-captured"])
    }

    @Test func capturedRecordsTheAmountTheProcessorReceived() {
        let (change, events) = AuthorizationOutcome.captured(reference: "pi_1", amount: 1200).record(for: F.operation(), at: F.time)
        #expect(change.amountCaptured == 1200)
        #expect(events.last == .paymentCaptured(
            paymentId: F.paymentId, orderId: F.orderId, amount: 1200, currency: "EUR", processorReference: "pi_1", capturedAt: F.time))
    }

    @Test(arguments: [
        (FailureReason.cardDeclined, "generic_decline" as String?, "pi_1" as String?),
        (.insufficientFunds, "insufficient_funds", "pi_1"),
        (.expiredCard, "expired_card", "pi_1"),
        (.processingError, "resource_missing", "pi_1"),
        (.processingError, "amount_too_small", nil),
        (.cardDeclined, nil, nil),
    ])
    func failed(reason: FailureReason, declineCode: String?, reference: String?) {
        let (change, events) = AuthorizationOutcome.failed(reason, declineCode: declineCode, reference: reference)
            .record(for: F.operation(), at: F.time)
        #expect(change == PaymentChange(status: .failed, failureReason: reason, declineCode: declineCode, processorReference: reference))
        #expect(events == [.paymentFailed(paymentId: F.paymentId, orderId: F.orderId, reason: reason, failedAt: F.time)])
    }

    @Test(arguments: ["pi_1" as String?, nil])
    func voided(reference: String?) {
        let (change, events) = AuthorizationOutcome.voided(reference: reference).record(for: F.operation(), at: F.time)
        #expect(change == PaymentChange(status: .voided, processorReference: reference))
        #expect(events == [.paymentVoided(paymentId: F.paymentId, orderId: F.orderId, processorReference: reference, voidedAt: F.time)])
    }

    static let outcomes: [AuthorizationOutcome] = [
        .authorized(reference: "pi_1"), .captured(reference: "pi_1", amount: 4999),
        .failed(.insufficientFunds, declineCode: "insufficient_funds", reference: "pi_1"), .voided(reference: "pi_1"),
    ]

    @Test(arguments: outcomes)
    func everyOutcomeIsAForwardMoveFromRequestedWithEventsAboutThisPayment(outcome: AuthorizationOutcome) throws {
        let (change, events) = outcome.record(for: F.operation(), at: F.time)
        let status = try #require(change.status)
        #expect(PaymentStatus.requested.canMove(to: status))
        #expect(change.lastError == nil)
        #expect(!events.isEmpty)
        for event in events {
            #expect(event.paymentId == F.paymentId)
            #expect(event.subjectId == F.paymentId)
            let data = try #require(try JSONSerialization.jsonObject(with: Data(event.dataJSON.utf8)) as? [String: Any])
            #expect(data["orderId"] as? String == F.orderId)
            #expect(data.values.contains { $0 as? String == F.time }, "the event carries the time it was recorded")
        }
    }
}
