@testable import Payments
import StripeModels

/// Constructed records and processor objects for the reconciliation rules' tests.
enum ReconciliationFixtures {
    static let paymentId = "5b0e7c6a-3f2d-4e1b-9c8a-7d6e5f4a3b2c"
    static let refundId = "9a1c2b3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"
    static let intentId = "pi_own"
    static let time = "2024-05-01T12:34:56.789Z"

    static func payment(
        _ status: PaymentStatus, reference: String? = intentId, amount: Int = 4999, captured: Int = 0
    ) -> Payment {
        Payment(
            paymentId: paymentId, cartId: paymentId, orderId: paymentId, customerId: nil, amount: amount, currency: "EUR", status: status,
            capture: .manual, amountCaptured: captured, processorReference: reference, createdAt: time, updatedAt: time)
    }

    static func recorded(
        _ status: PaymentStatus, reference: String? = intentId, amount: Int = 4999, captured: Int = 0, refunds: [Refund] = [],
        disputes: [RecordedDispute] = [], open: [OpenOperation] = []
    ) -> RecordedPayment {
        RecordedPayment(
            payment: payment(status, reference: reference, amount: amount, captured: captured), refunds: refunds, disputes: disputes,
            openOperations: open)
    }

    static func intent(
        _ status: StripePaymentIntent.Status, id: String = intentId, amount: Int = 4999, received: Int = 0, error: StripeErrorBody? = nil,
        paymentId: String? = paymentId
    ) -> StripePaymentIntent {
        StripePaymentIntent(
            id: id, status: status, amount: amount, amountCapturable: status == .requiresCapture ? amount : 0, amountReceived: received,
            currency: "eur", captureMethod: "manual", lastPaymentError: error, metadata: paymentId.map { ["payment_id": $0] } ?? [:])
    }

    static let decline = StripeErrorBody(type: "card_error", code: "card_declined", declineCode: "generic_decline")

    static func refund(_ status: RefundStatus, reference: String? = "re_1", amount: Int = 1000) -> Refund {
        Refund(
            refundId: refundId, paymentId: paymentId, amount: amount, currency: "EUR", reason: nil, status: status,
            processorReference: reference, createdAt: time, updatedAt: time)
    }

    static func processorRefund(
        _ status: StripeRefund.Status, id: String = "re_1", amount: Int = 1000, refundId: String? = refundId
    ) -> StripeRefund {
        StripeRefund(
            id: id, paymentIntent: intentId, amount: amount, currency: "eur", status: status, metadata: refundId.map { ["refund_id": $0] } ?? [:])
    }

    static func dispute(_ status: String, id: String = "dp_1", amount: Int = 4999) -> StripeDispute {
        StripeDispute(
            id: id, amount: amount, currency: "eur", paymentIntent: intentId, reason: "fraudulent", status: status, isChargeRefundable: false)
    }

    static func recordedDispute(_ status: String, amount: Int = 4999) -> RecordedDispute {
        RecordedDispute(processorReference: "dp_1", paymentId: paymentId, amount: amount, currency: "EUR", status: status)
    }
}
