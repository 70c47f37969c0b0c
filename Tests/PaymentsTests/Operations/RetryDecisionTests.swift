import Testing
@testable import Payments

@Suite("RetryDecision: an operator's retry of one operation")
struct RetryDecisionTests {
    static func payment(_ status: PaymentStatus, captured: Int = 0) -> Payment {
        Payment(
            paymentId: "p", cartId: "c", orderId: "o", customerId: nil, amount: 1000, currency: "USD", status: status, capture: .manual,
            amountCaptured: captured, createdAt: "t", updatedAt: "t")
    }

    static func op(_ id: Int, _ kind: OperationKind, _ status: OperationStatus, amount: Int? = nil, keyAttempt: Int = 0) -> OperationSummary {
        OperationSummary(id: id, kind: kind, status: status, amount: amount, dispatched: true, keyAttempt: keyAttempt)
    }

    @Test("parked: released under its own key, whatever its kind")
    func parked() {
        for kind in OperationKind.allCases {
            let parked = Self.op(2, kind, .parked)
            #expect(RetryDecision.decide(parked, payment: Self.payment(.authorized), operations: [parked], now: "") == .release(parked))
        }
    }

    @Test("queued: as it stands; done or cancelled: nothing to retry")
    func settled() {
        let queued = Self.op(3, .capture, .queued, amount: 1000)
        #expect(RetryDecision.decide(queued, payment: Self.payment(.authorized), operations: [queued], now: "") == .asItStands(queued))
        for status in [OperationStatus.done, .cancelled] {
            guard case .conflict = RetryDecision.decide(Self.op(3, .capture, status), payment: Self.payment(.captured), operations: [], now: "")
            else { Issue.record("\(status) is retried"); continue }
        }
    }

    @Test("a refused capture is a new attempt under the next key number, for the amount it asked")
    func refusedCapture() {
        let refused = Self.op(2, .capture, .failed, amount: 600, keyAttempt: 1)
        let ops = [Self.op(1, .authorize, .done), refused]
        #expect(RetryDecision.decide(refused, payment: Self.payment(.authorized), operations: ops, now: "")
            == .lifecycle(.enqueue(.capture, amount: 600, keyAttempt: 2)))
        // Captured meanwhile (the same amount): done; a void queued since: its conflict.
        #expect(RetryDecision.decide(refused, payment: Self.payment(.captured, captured: 600), operations: ops, now: "") == .lifecycle(.done))
        let withVoid = ops + [Self.op(3, .void, .queued)]
        guard case .lifecycle(.conflict) = RetryDecision.decide(refused, payment: Self.payment(.authorized), operations: withVoid, now: "") else {
            Issue.record("a capture retried past a queued void")
            return
        }
    }

    @Test("a refused void is a new void attempt; a read-back is read again")
    func refusedVoidAndReads() {
        let refused = Self.op(2, .void, .failed)
        #expect(RetryDecision.decide(refused, payment: Self.payment(.authorized), operations: [refused], now: "")
            == .lifecycle(.enqueue(.void, amount: nil, keyAttempt: 1)))
        for kind in [OperationKind.sync, .dispute] {
            #expect(RetryDecision.decide(Self.op(4, kind, .failed), payment: Self.payment(.captured), operations: [], now: "") == .readAgain(kind))
        }
    }

    @Test("an authorization that ended FAILED, and a refused refund, are never retried")
    func neverRetried() {
        for kind in [OperationKind.authorize, .refund] {
            let decision = RetryDecision.decide(Self.op(1, kind, .failed), payment: Self.payment(.failed), operations: [], now: "")
            guard case .conflict = decision else { Issue.record("\(kind): \(decision)"); continue }
        }
    }
}
