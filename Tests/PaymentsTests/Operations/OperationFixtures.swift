@testable import Payments
import StripeModels

/// Values for the pure unit tests of the operations' rules (no database, no processor).
enum OperationFixtures {
    static let paymentId = "5b0e7c6a-3f2d-4e1b-9c8a-7d6e5f4a3b2c"
    static let orderId = "0d4f4a2e-1b7c-4c5e-9a3b-2f6d8e9a1c0b"
    static let customerId = "7e57d004-2b97-4e7a-b45f-5387367791cd"
    static let intentId = "pi_3PqXyZ2eZvKYlo2C0abcdefg"
    static let time = "2024-05-01T12:34:56.789Z"

    static func intent(
        _ status: StripePaymentIntent.Status, id: String = intentId, amount: Int = 4999, capturable: Int = 0, received: Int = 0,
        captureMethod: String = "manual", error: StripeErrorBody? = nil
    ) -> StripePaymentIntent {
        StripePaymentIntent(
            id: id, status: status, amount: amount, amountCapturable: capturable, amountReceived: received, currency: "eur",
            captureMethod: captureMethod, lastPaymentError: error, metadata: ["payment_id": paymentId])
    }

    static func cardError(_ declineCode: String?, code: String? = "card_declined") -> StripeErrorBody {
        StripeErrorBody(type: "card_error", code: code, declineCode: declineCode, message: "Your card was declined.")
    }

    static func requestError(_ code: String?, param: String? = nil) -> StripeErrorBody {
        StripeErrorBody(type: "invalid_request_error", code: code, message: "refused", param: param)
    }

    static let notSent = StripeCallFailure(httpStatus: nil, code: "couldnt_connect", message: "connection refused")
    static let rateLimited = StripeCallFailure(httpStatus: 429, code: "rate_limit", message: "too many requests", requestId: "req_1")
    static let serverError = StripeCallFailure(httpStatus: 500, code: "api_error", message: "internal error", requestId: "req_2")
    static let replayedServerError = StripeCallFailure(
        httpStatus: 500, code: "api_error", message: "internal error", requestId: "req_2", replayed: true)
    static let unreadable = StripeCallFailure(httpStatus: 200, code: StripeCallFailure.unreadable, message: "it lacks `status`")
    static let timedOut = StripeCallFailure(httpStatus: nil, code: "operation_timedout", message: "no answer")

    static func operation(amount: Int = 4999, currency: String = "EUR", capture: CaptureMode = .manual) -> ClaimedOperation {
        ClaimedOperation(
            id: 7, kind: .authorize, paymentId: paymentId, idempotencyKey: paymentId, attempts: 1,
            payment: PaymentContext(
                status: .requested, orderId: orderId, customerId: customerId, amount: amount, currency: currency,
                capture: capture, paymentMethod: "pm_card_visa", processorReference: nil, metadata: [:]))
    }

    /// A claim of `kind` on a payment in `status`, with the fields a test varies.
    static func claim(
        _ kind: OperationKind, status: PaymentStatus = .requested, reference: String? = nil, attempts: Int = 1,
        keyAttempt: Int = 0, createAttempt: Int = 0, protocolFaults: Int = 0, dispatched: Bool = false,
        sinceDispatch: Duration? = nil, amount: Int? = nil, refund: RefundContext? = nil
    ) -> ClaimedOperation {
        var op = operation()
        op.kind = kind
        op.idempotencyKey = kind == .authorize ? paymentId : "\(paymentId):\(kind.rawValue)"
        op.payment.status = status
        op.payment.processorReference = reference
        op.attempts = attempts
        op.keyAttempt = keyAttempt
        op.createAttempt = createAttempt
        op.protocolFaults = protocolFaults
        op.dispatched = dispatched
        op.sinceDispatch = sinceDispatch
        op.amount = amount
        op.refund = refund
        op.refundId = refund.map { _ in refundId }
        return op
    }

    static let refundId = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
    static let now: @Sendable () -> String = { time }

    static func refund(_ status: StripeRefund.Status, id: String = "re_1", refundId: String = refundId, failure: String? = nil) -> StripeRefund {
        StripeRefund(
            id: id, paymentIntent: intentId, amount: 1000, currency: "eur", status: status, failureReason: failure,
            metadata: ["refund_id": refundId, "payment_id": paymentId])
    }

    /// What a `reschedule` action carries, or nil for any other action.
    static func reschedule(_ action: OperationAction) -> Reschedule? {
        if case .reschedule(let plan) = action { plan } else { nil }
    }

    /// The resolution and payment change a `finish` action carries, or nil for any other action.
    static func finish(_ action: OperationAction) -> (change: PaymentChange, events: [DomainEvent], resolution: OperationStatus)? {
        if case .finish(let change, let events, let resolution) = action { (change, events, resolution) } else { nil }
    }

    static func isEnd(_ action: OperationAction) -> Bool {
        if case .end = action { true } else { false }
    }
}
