/// Where a payment stands. Statuses only ever move forward (see `canMove(to:)`).
public enum PaymentStatus: String, Sendable, Codable, CaseIterable {
    case requested = "REQUESTED"
    /// A customer-present authorization waits for the customer's 3-D Secure challenge (`nextAction`).
    case requiresAction = "REQUIRES_ACTION"
    case authorized = "AUTHORIZED"
    case captured = "CAPTURED"
    case voided = "VOIDED"
    case failed = "FAILED"

    /// A live payment blocks a second payment for the same cart.
    public var isLive: Bool {
        switch self {
        case .requested, .requiresAction, .authorized, .captured: true
        case .voided, .failed: false
        }
    }

    public var isFinal: Bool { self == .voided || self == .failed }

    /// The lifecycle: REQUESTED → AUTHORIZED → CAPTURED, REQUESTED → FAILED,
    /// REQUESTED|AUTHORIZED → VOIDED, and REQUESTED → CAPTURED for automatic capture. A customer-present
    /// authorization may stop at REQUIRES_ACTION on the way, and leaves it as REQUESTED would.
    public func canMove(to next: PaymentStatus) -> Bool {
        switch (self, next) {
        case (.requested, .requiresAction), (.requested, .authorized), (.requested, .captured), (.requested, .failed),
            (.requested, .voided), (.requiresAction, .authorized), (.requiresAction, .captured), (.requiresAction, .failed),
            (.requiresAction, .voided), (.authorized, .captured), (.authorized, .voided):
            true
        default:
            false
        }
    }

    /// The statuses a payment may be in for a move to `next`: the compare-and-set guard of every update.
    /// Before the processor's word on the authorization: the authorization is still running.
    public var isAuthorizing: Bool { self == .requested || self == .requiresAction }

    public static func allowedPrevious(for next: PaymentStatus) -> [PaymentStatus] {
        allCases.filter { $0.canMove(to: next) }
    }
}
