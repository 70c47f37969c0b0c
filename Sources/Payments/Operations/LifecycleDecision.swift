/// One of a payment's operations, as the capture and void decisions see it.
public struct OperationSummary: Sendable, Equatable {
    public var id: Int
    public var kind: OperationKind
    public var status: OperationStatus
    public var amount: Int?
    public var dispatched: Bool
    public var keyAttempt: Int

    public init(id: Int, kind: OperationKind, status: OperationStatus, amount: Int? = nil, dispatched: Bool = false, keyAttempt: Int = 0) {
        self.id = id
        self.kind = kind
        self.status = status
        self.amount = amount
        self.dispatched = dispatched
        self.keyAttempt = keyAttempt
    }

    /// Queued or parked: it still stands for the payment. A failed one (refused for good) blocks nothing.
    public var isLive: Bool { status == .queued || status == .parked }
}

/// `contract.md`'s table for `POST /payments/{id}/capture` and `/void`, decided by the payment's state and
/// its operations (taken under the payment's row lock) alone. The store carries the decision out.
///
/// Capture:
/// - CAPTURED with the amount asked: done (200); with another amount: conflict.
/// - REQUESTED, REQUIRES_ACTION, VOIDED, FAILED: conflict.
/// - AUTHORIZED with a void queued (or parked): conflict. A capture queued with the amount asked: that one
///   (released if parked); with another amount: conflict. More than authorized: conflict. Else a new capture.
/// - **A capture after a refused void**: the void failed for good, so it is not live and blocks nothing; the
///   capture is queued as for any AUTHORIZED payment. Likewise a capture after a refused capture gets a new
///   attempt, under the next key number.
///
/// Void:
/// - A void queued (or parked): that one, released if parked.
/// - VOIDED: done. CAPTURED (refund it instead) or FAILED: conflict. AUTHORIZED with a capture queued: conflict.
/// - REQUIRES_ACTION, in either capture mode: a new void, which cancels the intent.
/// - REQUESTED whose authorization was never sent (or parked before any intent was recorded): voided at once,
///   no processor call. REQUESTED in flight with automatic capture: conflict (refund it instead); with manual
///   capture, and AUTHORIZED: a new void (a refused void asked again gets the next key number).
public enum LifecycleDecision: Sendable, Equatable {
    /// The payment already is as asked.
    case done
    case conflict(String)
    /// The live operation asked for again: released when parked, and waited on.
    case release(OperationSummary)
    /// A new operation of `kind`, its calls under key number `keyAttempt`.
    case enqueue(OperationKind, amount: Int?, keyAttempt: Int)
    /// Cancel the authorization that was never sent and void the payment now.
    case voidUnsent(authorizationOperationId: Int)

    /// A capture of `amount` (nil: all authorized). `now` (RFC 3339): a hold past its deadline is not sent.
    public static func capture(payment: Payment, operations: [OperationSummary], amount: Int?, now: String = "") -> LifecycleDecision {
        let wanted = amount ?? payment.amount
        if let expired = HoldExpiry.captureRefusal(payment, now: now) { return .conflict(expired) }
        switch payment.status {
        case .captured:
            return payment.amountCaptured == wanted ? .done : .conflict("payment was captured with \(payment.amountCaptured), not \(wanted)")
        case .requested, .requiresAction, .voided, .failed:
            return .conflict("a \(payment.status.rawValue) payment cannot be captured")
        case .authorized:
            return captureAuthorized(payment, operations, wanted: wanted)
        }
    }

    public static func void(payment: Payment, operations: [OperationSummary]) -> LifecycleDecision {
        let live = operations.filter(\.isLive)
        if let void = live.first(where: { $0.kind == .void }) { return .release(void) }
        switch payment.status {
        case .voided:
            return .done
        case .captured:
            return .conflict("a CAPTURED payment cannot be voided; refund it instead")
        case .failed:
            return .conflict("a FAILED payment cannot be voided")
        case .authorized where live.contains(where: { $0.kind == .capture }):
            return .conflict("a capture of this payment is queued")
        case .requested:
            return voidRequested(payment, operations)
        case .requiresAction:
            // Either capture mode: the cancel ends the customer's authentication (`CaptureVoidStateMachine`).
            return .enqueue(.void, amount: nil, keyAttempt: nextKeyAttempt(.void, after: operations))
        case .authorized:
            return .enqueue(.void, amount: nil, keyAttempt: nextKeyAttempt(.void, after: operations))
        }
    }

    private static func captureAuthorized(_ payment: Payment, _ operations: [OperationSummary], wanted: Int) -> LifecycleDecision {
        let live = operations.filter(\.isLive)
        if live.contains(where: { $0.kind == .void }) { return .conflict("a void of this payment is queued") }
        if let capture = live.first(where: { $0.kind == .capture }) {
            return capture.amount == wanted ? .release(capture) : .conflict("a capture of \(capture.amount ?? 0) is already queued")
        }
        guard wanted <= payment.amount else { return .conflict("cannot capture \(wanted): only \(payment.amount) is authorized") }
        return .enqueue(.capture, amount: wanted, keyAttempt: nextKeyAttempt(.capture, after: operations))
    }

    private static func voidRequested(_ payment: Payment, _ operations: [OperationSummary]) -> LifecycleDecision {
        if let authorization = unsentAuthorization(payment, operations) {
            return .voidUnsent(authorizationOperationId: authorization.id)
        }
        if payment.capture == .automatic { return .conflict("an automatic-capture authorization is in flight; refund it instead") }
        return .enqueue(.void, amount: nil, keyAttempt: nextKeyAttempt(.void, after: operations))
    }

    /// The authorization, when it is still queued and was never sent, or parked before any intent was recorded:
    /// only the recorded intent is ever confirmed, so none holds money.
    private static func unsentAuthorization(_ payment: Payment, _ operations: [OperationSummary]) -> OperationSummary? {
        guard let authorization = operations.first(where: { $0.kind == .authorize }) else { return nil }
        let unsent = authorization.status == .queued && !authorization.dispatched
        let parkedBeforeIntent = authorization.status == .parked && payment.processorReference == nil
        return unsent || parkedBeforeIntent ? authorization : nil
    }

    /// A capture or void after earlier attempts of its kind ended gets its own row, under the next key number
    /// (past every number an earlier attempt used, its saved-500 moves included).
    static func nextKeyAttempt(_ kind: OperationKind, after operations: [OperationSummary]) -> Int {
        operations.filter { $0.kind == kind }.map(\.keyAttempt).max().map { $0 + 1 } ?? 0
    }
}

/// `POST /payments/{id}/refunds`: only a CAPTURED payment is refunded, and never beyond what was captured
/// minus what is refunded or pending (`reserved`) and what a lost dispute took. While a dispute makes the charge
/// non-refundable at the processor, nothing is refunded (an inquiry, `warning_*`, leaves it refundable).
public enum RefundRequestDecision: Sendable, Equatable {
    case refund(amount: Int)
    case conflict(String)

    /// `amount` nil: all that is left.
    public static func decide(payment: Payment, reserved: Int, amount: Int?, disputes: [Dispute] = []) -> RefundRequestDecision {
        guard payment.status == .captured else {
            return .conflict("only a CAPTURED payment can be refunded; this one is \(payment.status.rawValue)")
        }
        if let blocking = disputes.first(where: \.blocksRefunds) {
            return .conflict("dispute \(blocking.disputeId) (\(blocking.processorReference), \(blocking.status.rawValue)) makes the charge non-refundable")
        }
        let lost = disputes.filter { $0.status == .lost }.reduce(0) { $0 + $1.amount }
        let left = payment.amountCaptured - reserved - lost
        let wanted = amount ?? left
        guard wanted > 0, wanted <= left else {
            return .conflict("cannot refund \(wanted): \(left) of \(payment.amountCaptured) captured is left to refund")
        }
        return .refund(amount: wanted)
    }
}
