struct CreateRefundCommand: Sendable {
    var paymentIntent: String
    var amount: Int?
    var reason: String?
    var metadata: [String: String]
    /// The `refuse` fault: a refund that would succeed is refused instead (saved under the key).
    var refused = false
}

extension SandboxState {
    func createRefund(_ command: CreateRefundCommand) throws(StripeError) -> JSONValue {
        let (intent, charge) = try refundableCharge(command.paymentIntent)
        let amount = try refundAmount(command.amount, of: charge)
        if command.refused { throw .refundRefused }
        let behaviour = TestPaymentMethod.lookup(charge.paymentMethod)?.refunds ?? .immediate
        let refund = record(
            amount, of: charge, reason: command.reason, metadata: command.metadata,
            status: behaviour == .pendingThenSucceed ? .pending : .succeeded
        )
        if refund.status == .succeeded, let charge = charges[charge.id] { events.publish("charge.refunded", charge.json) }
        closeReview(ofIntent: intent, reason: command.reason == "fraudulent" ? "refunded_as_fraud" : "refunded")
        settleLater(refund.id, behaviour)
        return refund.json
    }

    /// `POST /_sandbox/payment_intents/{id}/refund`: a refund made in the Dashboard, behind the service's
    /// back: no metadata, `succeeded` at once whatever the card, `refund.created` then `charge.refunded`.
    /// Refused as `POST /v1/refunds` would refuse it.
    func dashboardRefund(_ intentID: String, amount: Int?) throws(StripeError) -> JSONValue {
        let (intent, charge) = try refundableCharge(intentID)
        let refund = record(try refundAmount(amount, of: charge), of: charge, reason: nil, metadata: [:], status: .succeeded)
        guard let charge = charges[charge.id] else { return refund.json }
        events.publishInOrder([("refund.created", refund.json), ("charge.refunded", charge.json)])
        closeReview(ofIntent: intent, reason: "refunded")
        return refund.json
    }

    /// The intent and the charge whose captured money a refund takes back.
    private func refundableCharge(_ intentID: String) throws(StripeError) -> (PaymentIntent, Charge) {
        let intent = try intent(intentID, param: "payment_intent")
        guard intent.status == .succeeded, intent.amountReceived > 0, let chargeID = intent.latestCharge,
            let charge = charges[chargeID]
        else {
            throw .invalidRequest(
                "This PaymentIntent (\(intent.id)) does not have a successful charge to refund.",
                param: "payment_intent", phase: .execution
            )
        }
        return (intent, charge)
    }

    private func record(
        _ amount: Int, of charge: Charge, reason: String?, metadata: [String: String], status: Refund.Status
    ) -> Refund {
        let refund = Refund(
            id: StripeID.make("re"), amount: amount, charge: charge.id, paymentIntent: charge.paymentIntent,
            currency: charge.currency, created: now, reason: reason, metadata: metadata, status: status
        )
        charges[charge.id]?.amountRefunded += amount
        save(refund)
        return refund
    }

    /// What is asked (all that is left by default), if the charge has that much left to refund: a lost
    /// dispute's amount is gone, and an open chargeback refuses any refund.
    private func refundAmount(_ asked: Int?, of charge: Charge) throws(StripeError) -> Int {
        let unrefunded = charge.amountCaptured - charge.amountRefunded
        guard unrefunded > 0 else {
            throw .invalidRequest(
                "Charge \(charge.id) has already been refunded.", code: "charge_already_refunded", phase: .execution
            )
        }
        let left = unrefunded - (try disputedAmount(of: charge))
        let amount = asked ?? left
        guard amount <= left, amount > 0 else {
            throw .invalidRequest(
                "Refund amount (\(Currency.format(amount, charge.currency))) is greater than unrefunded amount on charge (\(Currency.format(left, charge.currency)))",
                code: "amount_too_large", param: "amount", phase: .execution
            )
        }
        try Currency.checkStep(amount, charge.currency)
        return amount
    }

    /// The asynchronous refund cards: `pm_card_refundFail` fails, `pm_card_pendingRefund` succeeds.
    private func settleLater(_ id: String, _ behaviour: TestCard.Refunds) {
        switch behaviour {
        case .immediate: return
        case .failLater: background.schedule(after: asyncRefundDelay) { [self] in _ = try? await self.failRefund(id) }
        case .pendingThenSucceed: background.schedule(after: asyncRefundDelay) { [self] in await self.succeedRefund(id) }
        }
    }

    /// A pending refund goes through (unless it failed meanwhile): `refund.updated` and `charge.refunded`.
    private func succeedRefund(_ id: String) {
        guard var refund = refunds[id], refund.status == .pending else { return }
        refund.status = .succeeded
        refunds[id] = refund
        events.publish("refund.updated", refund.json)
        if let charge = charges[refund.charge] { events.publish("charge.refunded", charge.json) }
    }

    func retrieveRefund(_ id: String) throws(StripeError) -> JSONValue {
        guard let refund = refunds[id] else { throw .noSuch("refund", id: id) }
        return refund.json
    }

    /// A `pm_card_refundFail` refund, or `POST /_sandbox/refunds/{id}/fail`: the money goes back to the
    /// charge. Only a refund that still holds money can fail (409 otherwise).
    func failRefund(_ id: String) throws(StripeError) -> JSONValue {
        guard var refund = refunds[id] else { throw .noSuch("refund", id: id) }
        guard refund.holdsMoney else {
            throw .invalidRequest("Refund \(id) cannot fail: it has a status of \(refund.status.rawValue).", status: 409)
        }
        refund.status = .failed
        refund.failureReason = "expired_or_canceled_card"
        refunds[id] = refund
        charges[refund.charge]?.amountRefunded -= refund.amount
        events.publish("refund.updated", refund.json)
        events.publish("refund.failed", refund.json)
        return refund.json
    }
}

extension SandboxState {
    func paymentIntentID(ofCharge id: String) throws(StripeError) -> String {
        guard let charge = charges[id] else { throw .noSuch("charge", id: id, param: "charge") }
        return charge.paymentIntent
    }
}
