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
}
