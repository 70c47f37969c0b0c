/// What `POST /v1/payment_intents` asks for, after validation.
struct CreateIntentCommand: Sendable {
    var amount: Int
    var currency: String
    var captureMethod: String
    var paymentMethodTypes: [String]
    var automaticPaymentMethods: PaymentIntent.AutomaticPaymentMethods?
    var paymentMethod: String?
    var confirm: ConfirmCommand?
    var metadata: [String: String]
    var description: String?
    var expand = Expansion.none
}

struct ConfirmCommand: Sendable {
    var paymentMethod: String?
    var offSession: Bool
    var returnURL: String?
    var expand = Expansion.none
}

extension SandboxState {
    func createPaymentIntent(_ command: CreateIntentCommand) throws(StripeError) -> JSONValue {
        let id = StripeID.make("pi")
        var intent = PaymentIntent(
            id: id, clientSecret: StripeID.clientSecret(for: id), created: now, amount: command.amount,
            currency: command.currency, captureMethod: command.captureMethod,
            status: command.paymentMethod == nil ? .requiresPaymentMethod : .requiresConfirmation,
            paymentMethod: command.paymentMethod, paymentMethodTypes: command.paymentMethodTypes,
            automaticPaymentMethods: command.automaticPaymentMethods, metadata: command.metadata,
            description: command.description
        )
        if let confirm = command.confirm {
            try checkConfirmable(intent, confirm)
            save(intent)
            try confirmSaved(&intent, confirm)
        } else {
            save(intent)
        }
        return render(intent, command.expand)
    }

    func confirmPaymentIntent(_ id: String, _ command: ConfirmCommand) throws(StripeError) -> JSONValue {
        var intent = try intent(id)
        try checkConfirmable(intent, command)
        try confirmSaved(&intent, command)
        return render(intent, command.expand)
    }

    func retrievePaymentIntent(_ id: String, expand: Expansion = .none) throws(StripeError) -> JSONValue {
        render(try intent(id), expand)
    }

    /// `refused`: the `refuse` fault, which answers a capture that would succeed with a refusal.
    func capturePaymentIntent(
        _ id: String, amountToCapture: Int?, refused: Bool = false, expand: Expansion = .none
    ) throws(StripeError) -> JSONValue {
        var intent = try intent(id)
        guard intent.status == .requiresCapture else {
            throw unexpectedState(
                intent,
                "This PaymentIntent could not be captured because it has a status of \(intent.status.rawValue). Only a PaymentIntent with one of the following statuses may be captured: requires_capture."
            )
        }
        let amount = amountToCapture ?? intent.amountCapturable
        guard amount <= intent.amountCapturable else {
            throw .invalidRequest(
                "The amount_to_capture (\(amount)) must be less than or equal to the PaymentIntent's amount_capturable (\(intent.amountCapturable)).",
                code: "amount_too_large", param: "amount_to_capture"
            )
        }
        try Currency.checkStep(amount, intent.currency, param: "amount_to_capture")
        if refused {
            throw refusal(intent, "This PaymentIntent could not be captured because its charge could not be captured at this time.")
        }
        intent.status = .succeeded
        intent.amountReceived = amount
        intent.amountCapturable = 0
        if let chargeID = intent.latestCharge {
            charges[chargeID]?.captured = true
            charges[chargeID]?.amountCaptured = amount
            disputeLaterIfTheCardSaysSo(chargeID)
        }
        save(intent)
        events.publish("payment_intent.succeeded", intent.json)
        return render(intent, expand)
    }

    /// `refused`: the `refuse` fault, which answers a cancel that would succeed with a refusal.
    func cancelPaymentIntent(
        _ id: String, reason: String?, refused: Bool = false, expand: Expansion = .none
    ) throws(StripeError) -> JSONValue {
        var intent = try intent(id)
        guard intent.status != .succeeded, intent.status != .canceled else {
            throw unexpectedState(
                intent,
                "You cannot cancel this PaymentIntent because it has a status of \(intent.status.rawValue). Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing."
            )
        }
        if refused {
            throw refusal(intent, "This PaymentIntent could not be canceled because its authorization could not be released at this time.")
        }
        markCanceled(&intent, reason: reason)
        events.publish("payment_intent.canceled", intent.json)
        closeReview(ofIntent: intent, reason: "canceled")
        return render(intent, expand)
    }

    /// Cancels and saves the intent; a hold's charge is let go, as Stripe shows it (all refunded, uncaptured).
    /// The caller sends the events.
    func markCanceled(_ intent: inout PaymentIntent, reason: String?) {
        if intent.status == .requiresCapture, let chargeID = intent.latestCharge { charges[chargeID]?.released = true }
        intent.status = .canceled
        intent.amountCapturable = 0
        intent.requiresAction = false
        intent.canceledAt = now
        intent.cancellationReason = reason
        save(intent)
    }

    /// A wrong status is a saved answer; a missing payment method or return_url is a validation error (not saved).
    private func checkConfirmable(_ intent: PaymentIntent, _ command: ConfirmCommand) throws(StripeError) {
        switch intent.status {
        case .requiresPaymentMethod, .requiresConfirmation, .requiresAction: break
        case .succeeded, .requiresCapture, .processing:
            throw unexpectedState(
                intent,
                "You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed."
            )
        case .canceled:
            throw unexpectedState(
                intent,
                "You cannot confirm this PaymentIntent because it has a status of canceled. Only a PaymentIntent with one of the following statuses may be confirmed: requires_confirmation, requires_payment_method, requires_action."
            )
        }
        guard command.paymentMethod ?? intent.paymentMethod != nil else {
            var error = unexpectedState(
                intent,
                "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent with cus_xxx, specify a payment method attached to this customer along with the customer ID."
            )
            error.param = "payment_method"
            error.phase = .validation
            throw error
        }
        guard intent.refusesRedirects || command.returnURL != nil else {
            throw .invalidRequest(
                "This PaymentIntent is configured to accept payment methods enabled in your Dashboard, some of which may require a full page redirect to succeed. If you do not want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents. If you wish to use redirect-based payment methods, please specify a `return_url` when confirming this PaymentIntent.",
                param: "return_url"
            )
        }
    }

    /// Runs the card (the test PaymentMethod decides) and stores the outcome; a decline is thrown as
    /// Stripe's 402 after the intent has been updated. A card that needs 3-D Secure waits in
    /// `requires_action` (no charge yet) for `POST /_sandbox/payment_intents/{id}/authenticate`.
    private func confirmSaved(_ intent: inout PaymentIntent, _ command: ConfirmCommand) throws(StripeError) {
        let paymentMethod = command.paymentMethod ?? intent.paymentMethod!
        let card = TestPaymentMethod.lookup(paymentMethod) ?? TestPaymentMethod.visa
        intent.paymentMethod = paymentMethod
        intent.lastPaymentError = nil
        intent.requiresAction = false
        guard card.requiresAuthentication else {
            return try charge(&intent, card, command.expand, offSession: command.offSession)
        }
        if command.offSession {
            let decline = TestPaymentMethod.authenticationRequiredOffSession
            try self.decline(&intent, decline, outcome: .issuerDeclined(decline), command.expand)
        }
        intent.status = .requiresAction
        intent.requiresAction = true
        save(intent)
        events.publish("payment_intent.requires_action", intent.json)
    }

    func unexpectedState(_ intent: PaymentIntent, _ message: String) -> StripeError {
        var error = StripeError.invalidRequest(message, code: "payment_intent_unexpected_state", phase: .execution)
        error.paymentIntent = intent.json
        return error
    }

    /// The `refuse` fault's answer: Stripe's unexpected-state error carrying the unchanged intent. It is
    /// an executed answer, so the idempotency key saves and replays it, as Stripe does for every request
    /// that began executing.
    private func refusal(_ intent: PaymentIntent, _ message: String) -> StripeError {
        var error = unexpectedState(intent, message)
        error.fault = .refuse
        return error
    }
}
