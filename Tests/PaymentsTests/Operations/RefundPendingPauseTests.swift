@testable import Payments
import Testing

/// A refund the processor keeps `pending` is read back less and less often, never more rarely than every 15 minutes.
@Suite struct RefundPendingPauseTests {
    @Test func pausesDoubleFromTwoSecondsToFifteenMinutes() {
        let pauses = (0..<12).map { RefundDecision.pendingPause(afterReads: $0) }
        #expect(Array(pauses.prefix(5)) == [.seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(32)])
        #expect(pauses.last == .seconds(900))
        #expect(zip(pauses, pauses.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(RefundDecision.pendingPause(afterReads: 10_000) == .seconds(900))
        #expect(RefundDecision.pendingPause(afterReads: -1) == .seconds(2))
    }
}
