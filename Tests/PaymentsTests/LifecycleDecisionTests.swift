import Payments
import Testing

/// `contract.md`'s capture and void table, one test per row.
@Suite struct LifecycleDecisionTests {
    static func payment(_ status: PaymentStatus, capture: CaptureMode = .manual, captured: Int = 0, reference: String? = "pi_1") -> Payment {
        Payment(
            paymentId: "p", cartId: "c", orderId: "o", customerId: nil, amount: 5000, currency: "EUR", status: status, capture: capture,
            amountCaptured: captured, processorReference: reference, createdAt: "t", updatedAt: "t")
    }

    static func op(_ id: Int, _ kind: OperationKind, _ status: OperationStatus, amount: Int? = nil, dispatched: Bool = true, key: Int = 0) -> OperationSummary {
        OperationSummary(id: id, kind: kind, status: status, amount: amount, dispatched: dispatched, keyAttempt: key)
    }

    static let authorizedOnce = [op(1, .authorize, .done)]

    // Capture

    @Test("capture, AUTHORIZED: a capture of all authorized is queued")
    func captureAuthorized() {
        #expect(LifecycleDecision.capture(payment: Self.payment(.authorized), operations: Self.authorizedOnce, amount: nil)
            == .enqueue(.capture, amount: 5000, keyAttempt: 0))
    }

    @Test("capture, CAPTURED with that amount: done")
    func captureCapturedSameAmount() {
        #expect(LifecycleDecision.capture(payment: Self.payment(.captured, captured: 3000), operations: [], amount: 3000) == .done)
    }

    @Test("capture, a capture of that amount already queued: that one (released if parked)")
    func captureAlreadyQueued() {
        let queued = Self.op(2, .capture, .parked, amount: 3000)
        #expect(LifecycleDecision.capture(payment: Self.payment(.authorized), operations: Self.authorizedOnce + [queued], amount: 3000)
            == .release(queued))
    }

    @Test("capture, REQUESTED, VOIDED or FAILED: conflict", arguments: [PaymentStatus.requested, .voided, .failed])
    func captureWrongStatus(status: PaymentStatus) {
        #expect(LifecycleDecision.capture(payment: Self.payment(status), operations: [], amount: nil)
            == .conflict("a \(status.rawValue) payment cannot be captured"))
    }

    @Test("capture, a void queued: conflict")
    func captureVoidQueued() {
        let ops = Self.authorizedOnce + [Self.op(2, .void, .queued)]
        #expect(LifecycleDecision.capture(payment: Self.payment(.authorized), operations: ops, amount: nil) == .conflict("a void of this payment is queued"))
    }

    @Test("capture, a different amount than a queued capture: conflict")
    func captureOtherAmountQueued() {
        let ops = Self.authorizedOnce + [Self.op(2, .capture, .queued, amount: 1000)]
        #expect(LifecycleDecision.capture(payment: Self.payment(.authorized), operations: ops, amount: 2000)
            == .conflict("a capture of 1000 is already queued"))
    }

    @Test("capture, a different amount than a done capture: conflict")
    func captureOtherAmountDone() {
        #expect(LifecycleDecision.capture(payment: Self.payment(.captured, captured: 1000), operations: [], amount: 2000)
            == .conflict("payment was captured with 1000, not 2000"))
    }

    @Test("capture, more than authorized: conflict")
    func captureMoreThanAuthorized() {
        #expect(LifecycleDecision.capture(payment: Self.payment(.authorized), operations: Self.authorizedOnce, amount: 5001)
            == .conflict("cannot capture 5001: only 5000 is authorized"))
    }

    @Test("capture after a refused void: the failed void blocks nothing, the capture is queued")
    func captureAfterRefusedVoid() {
        let ops = Self.authorizedOnce + [Self.op(2, .void, .failed)]
        #expect(LifecycleDecision.capture(payment: Self.payment(.authorized), operations: ops, amount: nil)
            == .enqueue(.capture, amount: 5000, keyAttempt: 0))
    }

    @Test("capture after a refused capture: a new attempt under the next key number")
    func captureAfterRefusedCapture() {
        let ops = Self.authorizedOnce + [Self.op(2, .capture, .failed, amount: 5000, key: 1)]
        #expect(LifecycleDecision.capture(payment: Self.payment(.authorized), operations: ops, amount: nil)
            == .enqueue(.capture, amount: 5000, keyAttempt: 2))
    }

    // Void

    @Test("void, REQUESTED not yet sent: voided at once, no processor call")
    func voidUnsent() {
        let ops = [Self.op(1, .authorize, .queued, dispatched: false)]
        #expect(LifecycleDecision.void(payment: Self.payment(.requested, reference: nil), operations: ops) == .voidUnsent(authorizationOperationId: 1))
    }

    @Test("void, REQUESTED with its authorization parked before any intent was recorded: voided at once")
    func voidParkedBeforeIntent() {
        let ops = [Self.op(1, .authorize, .parked)]
        #expect(LifecycleDecision.void(payment: Self.payment(.requested, reference: nil), operations: ops) == .voidUnsent(authorizationOperationId: 1))
    }

    @Test("void, REQUESTED in flight with manual capture: a void is queued")
    func voidInFlightManual() {
        let ops = [Self.op(1, .authorize, .queued)]
        #expect(LifecycleDecision.void(payment: Self.payment(.requested), operations: ops) == .enqueue(.void, amount: nil, keyAttempt: 0))
    }

    @Test("void, AUTHORIZED: a void is queued")
    func voidAuthorized() {
        #expect(LifecycleDecision.void(payment: Self.payment(.authorized), operations: Self.authorizedOnce) == .enqueue(.void, amount: nil, keyAttempt: 0))
    }

    @Test("void, REQUESTED in flight with automatic capture: conflict (refund it instead)")
    func voidInFlightAutomatic() {
        let ops = [Self.op(1, .authorize, .queued)]
        #expect(LifecycleDecision.void(payment: Self.payment(.requested, capture: .automatic), operations: ops)
            == .conflict("an automatic-capture authorization is in flight; refund it instead"))
    }

    @Test("void, VOIDED: done")
    func voidVoided() {
        #expect(LifecycleDecision.void(payment: Self.payment(.voided), operations: []) == .done)
    }

    @Test("void, CAPTURED: conflict (refund it instead)")
    func voidCaptured() {
        #expect(LifecycleDecision.void(payment: Self.payment(.captured), operations: [])
            == .conflict("a CAPTURED payment cannot be voided; refund it instead"))
    }

    @Test("void, FAILED: conflict")
    func voidFailed() {
        #expect(LifecycleDecision.void(payment: Self.payment(.failed), operations: []) == .conflict("a FAILED payment cannot be voided"))
    }

    @Test("void, a capture queued: conflict")
    func voidCaptureQueued() {
        let ops = Self.authorizedOnce + [Self.op(2, .capture, .queued, amount: 5000)]
        #expect(LifecycleDecision.void(payment: Self.payment(.authorized), operations: ops) == .conflict("a capture of this payment is queued"))
    }

    @Test("void, a void already queued: that one")
    func voidAlreadyQueued() {
        let queued = Self.op(2, .void, .queued)
        #expect(LifecycleDecision.void(payment: Self.payment(.authorized), operations: Self.authorizedOnce + [queued]) == .release(queued))
    }

    @Test("void asked again after a refused void: a new attempt under the next key number")
    func voidAfterRefusedVoid() {
        let ops = Self.authorizedOnce + [Self.op(2, .void, .failed)]
        #expect(LifecycleDecision.void(payment: Self.payment(.authorized), operations: ops) == .enqueue(.void, amount: nil, keyAttempt: 1))
    }

    // Refund requests

    @Test("refund, CAPTURED with enough left: refunded (all that is left by default)")
    func refundLeft() {
        let payment = Self.payment(.captured, captured: 5000)
        #expect(RefundRequestDecision.decide(payment: payment, reserved: 1000, amount: nil) == .refund(amount: 4000))
        #expect(RefundRequestDecision.decide(payment: payment, reserved: 1000, amount: 4000) == .refund(amount: 4000))
    }

    @Test("refund, not CAPTURED: conflict")
    func refundNotCaptured() {
        #expect(RefundRequestDecision.decide(payment: Self.payment(.authorized), reserved: 0, amount: 100)
            == .conflict("only a CAPTURED payment can be refunded; this one is AUTHORIZED"))
    }

    @Test("refund, more than captured minus refunded and pending, or nothing left: conflict")
    func refundTooMuch() {
        let payment = Self.payment(.captured, captured: 5000)
        #expect(RefundRequestDecision.decide(payment: payment, reserved: 1000, amount: 4001)
            == .conflict("cannot refund 4001: 4000 of 5000 captured is left to refund"))
        #expect(RefundRequestDecision.decide(payment: payment, reserved: 5000, amount: nil)
            == .conflict("cannot refund 0: 0 of 5000 captured is left to refund"))
    }
}
