/// Reviews (Radar's manual review queue) and disputes.
extension SandboxState {
    /// Opens the Review of a charge Radar placed in manual review (`review.opened`).
    func openReview(of charge: Charge) -> String {
        let review = Review(
            id: StripeID.make("prv"), charge: charge.id, paymentIntent: charge.paymentIntent, created: Self.now,
            openedReason: "rule"
        )
        reviews[review.id] = review
        events.publish("review.opened", review.json)
        return review.id
    }

    func retrieveReview(_ id: String) throws(StripeError) -> JSONValue {
        guard let review = reviews[id] else { throw .noSuch("review", id: id) }
        return review.json
    }

    /// `POST /_sandbox/reviews/{id}/close` (its route checks the reason): what a reviewer does in the Dashboard.
    func closeReview(_ id: String, reason: String) throws(StripeError) -> JSONValue {
        guard let review = reviews[id] else { throw .noSuch("review", id: id) }
        guard review.open else {
            throw .invalidRequest("This review is already closed (\(review.closedReason ?? "")).", param: "reason")
        }
        return close(review, reason: reason).json
    }

    /// Stripe closes a charge's open review when its intent is canceled, it is refunded or disputed.
    func closeReview(ofIntent intent: PaymentIntent, reason: String) {
        guard let id = intent.review, let review = reviews[id], review.open else { return }
        _ = close(review, reason: reason)
    }

    private func close(_ review: Review, reason: String) -> Review {
        var review = review
        review.closedReason = reason
        reviews[review.id] = review
        events.publish("review.closed", review.json)
        return review
    }

    /// `pm_card_createDispute`: once money is taken, a fraudulent dispute opens `disputeDelay` later.
    func disputeLaterIfTheCardSaysSo(_ chargeID: String) {
        guard let charge = charges[chargeID], TestPaymentMethod.lookup(charge.paymentMethod)?.disputed == true else { return }
        background.schedule(after: disputeDelay) { [self] in await self.openDispute(ofCharge: chargeID) }
    }

    private func openDispute(ofCharge id: String) {
        guard var charge = charges[id], !charge.disputed else { return }
        let dispute = Dispute(
            id: StripeID.make("dp"), amount: charge.amountCaptured, charge: id, paymentIntent: charge.paymentIntent,
            currency: charge.currency, created: Self.now
        )
        charge.disputed = true
        charges[id] = charge
        disputes[dispute.id] = dispute
        events.publish("charge.dispute.created", dispute.json)
        if let intent = intents[charge.paymentIntent] { closeReview(ofIntent: intent, reason: "disputed") }
    }

    func retrieveDispute(_ id: String) throws(StripeError) -> JSONValue {
        guard let dispute = disputes[id] else { throw .noSuch("dispute", id: id) }
        return dispute.json
    }
}
