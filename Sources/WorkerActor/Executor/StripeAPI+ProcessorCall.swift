import Payments
import StripeGateway

extension StripeAPI {
    /// Makes the call a state machine asked for.
    func perform(_ call: ProcessorCall) async -> ProcessorAnswer {
        switch call {
        case .createIntent(let params, let key): .intent(await createPaymentIntent(params, idempotencyKey: key))
        case .confirmIntent(let id, let method, let offSession, let key):
            .intent(await confirmPaymentIntent(id: id, paymentMethod: method, offSession: offSession, idempotencyKey: key))
        case .retrieveIntent(let id): .intent(await retrievePaymentIntent(id: id))
        case .searchIntents(let paymentId): .intents(await searchPaymentIntents(metadataKey: "payment_id", value: paymentId))
        case .captureIntent(let id, let amount, let key): .intent(await capturePaymentIntent(id: id, amountToCapture: amount, idempotencyKey: key))
        case .cancelIntent(let id, let key, let reason): .intent(await cancelPaymentIntent(id: id, reason: reason, idempotencyKey: key))
        case .createRefund, .retrieveRefund, .listRefunds, .retrieveDispute: await performAfterCapture(call)
        }
    }

    /// The calls about what follows a capture: refunds and disputes.
    private func performAfterCapture(_ call: ProcessorCall) async -> ProcessorAnswer {
        switch call {
        case .createRefund(let params, let key): .refund(await createRefund(params, idempotencyKey: key))
        case .retrieveRefund(let id): .refund(await retrieveRefund(id: id))
        case .listRefunds(let intentId): .refunds(await listRefunds(paymentIntent: intentId))
        case .retrieveDispute(let id): .dispute(await retrieveDispute(id: id))
        // Never reached: `perform` makes the intent calls itself.
        default: .intent(.unknown(StripeCallFailure(httpStatus: nil, code: "not_a_refund_call", message: "\(call)")))
        }
    }
}
