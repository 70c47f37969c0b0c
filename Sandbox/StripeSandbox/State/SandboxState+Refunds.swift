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
        let amount = try refundAmount(command.amount, of: charge)
        if command.refused { throw .refundRefused }
        let behaviour = TestPaymentMethod.lookup(charge.paymentMethod)?.refunds ?? .immediate
        let refund = Refund(
            id: StripeID.make("re"), amount: amount, charge: charge.id, paymentIntent: intent.id, currency: intent.currency,
            created: Self.now, reason: command.reason, metadata: command.metadata,
            status: behaviour == .pendingThenSucceed ? .pending : .succeeded
        )
        charge.amountRefunded += amount
        charges[charge.id] = charge
        refunds[refund.id] = refund
        refundOrder.append(refund.id)
        if refund.status == .succeeded { events.publish("charge.refunded", charge.json) }
        closeReview(ofIntent: intent, reason: command.reason == "fraudulent" ? "refunded_as_fraud" : "refunded")
        settleLater(refund.id, behaviour)
        return refund.json
    }

    /// What is asked (all that is left by default), if the charge has that much left to refund.
    private func refundAmount(_ asked: Int?, of charge: Charge) throws(StripeError) -> Int {
        let left = charge.amountCaptured - charge.amountRefunded
        guard left > 0 else {
            throw .invalidRequest(
                "Charge \(charge.id) has already been refunded.", code: "charge_already_refunded", phase: .execution
            )
        }
        let amount = asked ?? left
        guard amount <= left else {
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
