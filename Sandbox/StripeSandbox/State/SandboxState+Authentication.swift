/// `POST /_sandbox/payment_intents/{id}/authenticate`: the customer completing (or failing) the 3-D
/// Secure challenge that Stripe.js would show.
extension SandboxState {
    /// The "We are unable to authenticate" wording and `invalid_request_error` type are what Stripe's API
    /// answers for this code (Stripe's error-code docs describe it but show no body).
    static let authenticationFailure = "We are unable to authenticate your payment method. Please choose a different payment method and try again."

    /// Only from `requires_action`; a success runs the card's charge as a confirmation would (its decline
    /// is recorded on the intent, not thrown), a failure sends the intent back to
    /// `requires_payment_method`. Answers the intent.
    func authenticate(_ id: String, succeeded: Bool) throws(StripeError) -> JSONValue {
        var intent = try intent(id)
        guard intent.status == .requiresAction else {
            throw unexpectedState(
                intent,
                "This PaymentIntent's authentication cannot be completed because it has a status of \(intent.status.rawValue). Only a PaymentIntent with a status of requires_action can be authenticated."
            )
        }
        intent.requiresAction = false
        if succeeded {
            let card = intent.paymentMethod.flatMap(TestPaymentMethod.lookup) ?? TestPaymentMethod.visa
            do { try charge(&intent, card, .none) } catch {}  // a decline is already on the intent
        } else {
            failAuthentication(&intent)
        }
        return try self.intent(id).json
    }

    private func failAuthentication(_ intent: inout PaymentIntent) {
        intent.lastPaymentError = StripeError(
            status: 402, type: "invalid_request_error", code: "payment_intent_authentication_failure",
            message: Self.authenticationFailure, paymentMethod: intent.paymentMethod, phase: .execution
        )
        intent.status = .requiresPaymentMethod
        intent.paymentMethod = nil
        save(intent)
        events.publish("payment_intent.payment_failed", intent.json)
    }
}
