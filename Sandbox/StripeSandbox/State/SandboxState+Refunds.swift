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
        let intent = try intent(command.paymentIntent, param: "payment_intent")
        guard intent.status == .succeeded, intent.amountReceived > 0, let chargeID = intent.latestCharge,
            var charge = charges[chargeID]
        else {
            throw .invalidRequest(
                "This PaymentIntent (\(intent.id)) does not have a successful charge to refund.",
                param: "payment_intent", phase: .execution
            )
        }
        let left = charge.amountCaptured - charge.amountRefunded
        guard left > 0 else {
            throw .invalidRequest(
                "Charge \(charge.id) has already been refunded.", code: "charge_already_refunded", phase: .execution
            )
        }
        let amount = command.amount ?? left
        guard amount <= left else {
            throw .invalidRequest(
                "Refund amount (\(Currency.format(amount, intent.currency))) is greater than unrefunded amount on charge (\(Currency.format(left, intent.currency)))",
                code: "amount_too_large", param: "amount", phase: .execution
            )
        }
        try Currency.checkStep(amount, intent.currency)
        if command.refused { throw .refundRefused }
        let refund = Refund(
            id: StripeID.make("re"), amount: amount, charge: charge.id, paymentIntent: intent.id, currency: intent.currency,
            created: Self.now, reason: command.reason, metadata: command.metadata, status: .succeeded
        )
        charge.amountRefunded += amount
        charges[charge.id] = charge
        refunds[refund.id] = refund
        refundOrder.append(refund.id)
        events.publish("charge.refunded", charge.json)

        if TestPaymentMethod.lookup(charge.paymentMethod) == .refundFails {
            background.schedule(after: refundFailureDelay) { [self] in _ = try? await self.failRefund(refund.id) }
        }
        return refund.json
    }

    func retrieveRefund(_ id: String) throws(StripeError) -> JSONValue {
        guard let refund = refunds[id] else { throw .noSuch("refund", id: id) }
        return refund.json
    }

    /// Newest first, like Stripe's lists.
    /// Newest first, as Stripe lists; `startingAfter` (an id on the previous page) starts after that refund.
    func listRefunds(paymentIntent: String?, startingAfter: String? = nil, limit: Int) throws(StripeError) -> [JSONValue] {
        if let paymentIntent { _ = try intent(paymentIntent, param: "payment_intent") }
        var listed = refundOrder.reversed()
            .compactMap { refunds[$0] }
            .filter { paymentIntent == nil || $0.paymentIntent == paymentIntent }
        if let startingAfter {
            guard let index = listed.firstIndex(where: { $0.id == startingAfter }) else {
                throw .invalidRequest("No such refund: '\(startingAfter)'", param: "starting_after")
            }
            listed = Array(listed[(index + 1)...])
        }
        return listed.prefix(limit).map(\.json)
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
