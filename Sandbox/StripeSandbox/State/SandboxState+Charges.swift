/// The charge a confirmation (or a completed authentication) makes, what Radar does with it, and the
/// objects that hang off it: reviews and disputes.
extension SandboxState {
    /// Charges the intent's card: a hold or a payment, or a decline thrown as Stripe's 402. `offSession`
    /// shortens a hold's validity.
    func charge(
        _ intent: inout PaymentIntent, _ card: TestCard, _ expand: Expansion, offSession: Bool = false
    ) throws(StripeError) {
        switch card.charge {
        case .authorized: authorize(&intent, outcome: .authorized, offSession: offSession)
        case .reviewed: authorize(&intent, outcome: .manualReview, offSession: offSession)
        case .declined(let decline): try self.decline(&intent, decline, outcome: .issuerDeclined(decline), expand)
        case .blocked(let riskScore):
            try decline(&intent, TestPaymentMethod.radarBlocked, outcome: .blocked(riskScore: riskScore), expand)
        }
    }

    /// Records a failed charge on the intent (back to `requires_payment_method`, no money held) and
    /// throws the 402 that carries the intent.
    func decline(
        _ intent: inout PaymentIntent, _ decline: CardDecline, outcome: Charge.Outcome, _ expand: Expansion
    ) throws(StripeError) -> Never {
        let charge = newCharge(intent, failure: decline, outcome: outcome)
        var error = StripeError(
            status: 402, type: "card_error", code: decline.code, declineCode: decline.declineCode,
            message: decline.message, charge: charge.id, paymentMethod: intent.paymentMethod, phase: .execution
        )
        save(charge)
        intent.latestCharge = charge.id
        intent.status = .requiresPaymentMethod
        intent.paymentMethod = nil
        intent.lastPaymentError = error
        save(intent)
        events.publish("payment_intent.payment_failed", intent.json)
        error.paymentIntent = render(intent, expand)
        throw error
    }

    /// A successful charge: a hold (manual capture) or the money taken.
    private func authorize(_ intent: inout PaymentIntent, outcome: Charge.Outcome, offSession: Bool) {
        var charge = newCharge(intent, failure: nil, outcome: outcome)
        if outcome == .manualReview { charge.review = openReview(of: charge) }
        intent.latestCharge = charge.id
        intent.review = charge.review
        intent.confirmations += 1
        if intent.captureMethod == "manual" {
            intent.status = .requiresCapture
            intent.amountCapturable = intent.amount
            charge.captureBefore = charge.created + Charge.holdValidity(offSession: offSession)
        } else {
            intent.status = .succeeded
            intent.amountReceived = intent.amount
            charge.captured = true
            charge.amountCaptured = intent.amount
        }
        save(charge)
        save(intent)
        let held = intent.status == .requiresCapture
        events.publish(held ? "payment_intent.amount_capturable_updated" : "payment_intent.succeeded", intent.json)
        if !held { disputeLaterIfTheCardSaysSo(charge.id) }
    }

    private func newCharge(_ intent: PaymentIntent, failure: CardDecline?, outcome: Charge.Outcome) -> Charge {
        Charge(
            id: StripeID.make("ch"), paymentIntent: intent.id, paymentMethod: intent.paymentMethod ?? "",
            amount: intent.amount, currency: intent.currency, created: now, metadata: intent.metadata,
            failure: failure, outcome: outcome
        )
    }

    /// `expand[]` applied: `latest_charge` (and `latest_charge.review`) become the objects they name.
    func render(_ intent: PaymentIntent, _ expand: Expansion) -> JSONValue {
        let chargeExpanded = expand.paths.contains { $0 == "latest_charge" || $0.hasPrefix("latest_charge.") }
        guard chargeExpanded, let id = intent.latestCharge, let charge = charges[id] else { return intent.json }
        return intent.json.replacing("latest_charge", with: render(charge, reviewExpanded: expand.contains("latest_charge.review")))
    }

    func render(_ charge: Charge, reviewExpanded: Bool) -> JSONValue {
        guard reviewExpanded, let id = charge.review, let review = reviews[id] else { return charge.json }
        return charge.json.replacing("review", with: review.json)
    }

    func retrieveCharge(_ id: String, expand: Expansion = .none) throws(StripeError) -> JSONValue {
        guard let charge = charges[id] else { throw .noSuch("charge", id: id) }
        return render(charge, reviewExpanded: expand.contains("review"))
    }
}
