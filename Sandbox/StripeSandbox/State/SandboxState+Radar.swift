/// Reviews: Radar's manual review queue.
extension SandboxState {
    /// Opens the Review of a charge Radar placed in manual review (`review.opened`).
    func openReview(of charge: Charge) -> String {
        let review = Review(
            id: StripeID.make("prv"), charge: charge.id, paymentIntent: charge.paymentIntent, created: now,
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
}
