import Payments
import Testing

/// A refund moves forward only: REQUESTED → PROCESSED|FAILED, PROCESSED → FAILED.
@Suite struct RefundTransitionTests {
    @Test("REQUESTED → PROCESSED adds the amount to amountRefunded and ends the operation done")
    func processed() {
        let t = RefundTransition(from: .requested, to: .processed, amount: 700)
        #expect(t.moves && t.refundedDelta == 700 && t.operationResolution == .done)
    }

    @Test("REQUESTED → FAILED refunds nothing and ends the operation failed")
    func refused() {
        let t = RefundTransition(from: .requested, to: .failed, amount: 700)
        #expect(t.moves && t.refundedDelta == 0 && t.operationResolution == .failed)
    }

    @Test("PROCESSED → FAILED takes the amount back out of amountRefunded")
    func failedAfterwards() {
        let t = RefundTransition(from: .processed, to: .failed, amount: 700)
        #expect(t.moves && t.refundedDelta == -700 && t.operationResolution == .done)
    }

    @Test("never backwards, never from FAILED, and not to where it stands",
          arguments: [(RefundStatus.processed, RefundStatus.requested), (.failed, .requested), (.failed, .processed),
                      (.requested, .requested), (.processed, .processed), (.failed, .failed)])
    func stays(from: RefundStatus, to: RefundStatus) {
        let t = RefundTransition(from: from, to: to, amount: 700)
        #expect(!t.moves && t.refundedDelta == 0)
    }
}
