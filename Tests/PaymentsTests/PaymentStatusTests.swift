import Testing
import Payments

/// The lifecycle of `contract.md` ("Payment resource"): REQUESTED → AUTHORIZED → CAPTURED, REQUESTED → FAILED,
/// REQUESTED|AUTHORIZED → VOIDED, and REQUESTED → CAPTURED with automatic capture; a customer-present payment
/// may stop at REQUIRES_ACTION on the way and leave it as REQUESTED would. Nothing else.
@Suite struct PaymentStatusTests {
    static let allowedMoves: Set<[PaymentStatus]> = [
        [.requested, .authorized],
        [.requested, .captured],
        [.requested, .failed],
        [.requested, .voided],
        [.authorized, .captured],
        [.authorized, .voided],
        [.requested, .requiresAction],
        [.requiresAction, .authorized],
        [.requiresAction, .captured],
        [.requiresAction, .failed],
        [.requiresAction, .voided],
    ]

    /// How far along the lifecycle a status is: every move must go strictly forward.
    static func rank(_ status: PaymentStatus) -> Int {
        switch status {
        case .requested: 0
        case .requiresAction: 1
        case .authorized: 2
        case .captured, .voided, .failed: 3
        }
    }

    @Test(arguments: PaymentStatus.allCases, PaymentStatus.allCases)
    func canMoveMatchesTheContract(from: PaymentStatus, to: PaymentStatus) {
        #expect(from.canMove(to: to) == Self.allowedMoves.contains([from, to]))
    }

    @Test(arguments: PaymentStatus.allCases, PaymentStatus.allCases)
    func nothingMovesBackwardsOrStandsStill(from: PaymentStatus, to: PaymentStatus) {
        if from.canMove(to: to) {
            #expect(Self.rank(to) > Self.rank(from), "\(from) → \(to) does not move forward")
        }
        if Self.rank(to) <= Self.rank(from) {
            #expect(!from.canMove(to: to))
        }
    }

    @Test func noStatusIsReachableFromItselfThroughAnyPath() {
        for start in PaymentStatus.allCases {
            var frontier = PaymentStatus.allCases.filter { start.canMove(to: $0) }
            var seen = Set<PaymentStatus>()
            while let next = frontier.popLast() {
                #expect(next != start, "a cycle through \(start)")
                if seen.insert(next).inserted {
                    frontier += PaymentStatus.allCases.filter { next.canMove(to: $0) }
                }
            }
        }
    }

    @Test(arguments: [
        (PaymentStatus.requested, [PaymentStatus]()),
        (.requiresAction, [.requested]),
        (.authorized, [.requested, .requiresAction]),
        (.captured, [.requested, .requiresAction, .authorized]),
        (.voided, [.requested, .requiresAction, .authorized]),
        (.failed, [.requested, .requiresAction]),
    ])
    func allowedPrevious(next: PaymentStatus, expected: [PaymentStatus]) {
        #expect(Set(PaymentStatus.allowedPrevious(for: next)) == Set(expected))
        #expect(PaymentStatus.allowedPrevious(for: next).count == expected.count, "no duplicates")
    }

    @Test(arguments: PaymentStatus.allCases)
    func allowedPreviousIsExactlyTheStatusesThatCanMove(next: PaymentStatus) {
        for previous in PaymentStatus.allCases {
            #expect(PaymentStatus.allowedPrevious(for: next).contains(previous) == previous.canMove(to: next))
        }
    }

    @Test(arguments: [
        (PaymentStatus.requested, true, false),
        (.requiresAction, true, false),
        (.authorized, true, false),
        (.captured, true, false),
        (.voided, false, true),
        (.failed, false, true),
    ])
    func liveAndFinal(status: PaymentStatus, live: Bool, final: Bool) {
        #expect(status.isLive == live)
        #expect(status.isFinal == final)
    }

    @Test(arguments: PaymentStatus.allCases)
    func finalStatusesAndCapturedNeverMove(status: PaymentStatus) {
        // FAILED and VOIDED are final; a CAPTURED payment changes only through refunds.
        guard status.isFinal || status == .captured else { return }
        for next in PaymentStatus.allCases {
            #expect(!status.canMove(to: next), "\(status) → \(next)")
        }
    }

    @Test func wireNamesAreTheContracts() {
        #expect(PaymentStatus.allCases.map(\.rawValue) == ["REQUESTED", "REQUIRES_ACTION", "AUTHORIZED", "CAPTURED", "VOIDED", "FAILED"])
        #expect(CaptureMode.allCases.map(\.rawValue) == ["manual", "automatic"])
    }
}
