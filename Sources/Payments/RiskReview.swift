import StripeModels

/// A Radar review of the payment's charge: `open` while Radar holds it for review, then `closed` with
/// Stripe's closed reason. Capture is not blocked meanwhile: Ordering decides.
public struct PaymentReview: Sendable, Equatable {
    public enum Status: String, Sendable {
        case open
        case closed
    }

    public var status: Status
    /// `opened_reason` while open (`rule`, `manual`), then `closed_reason` (`approved`, `refunded`…).
    public var reason: String?

    public init(status: Status, reason: String?) {
        self.status = status
        self.reason = reason
    }

    /// The review as the processor reports it.
    public init(_ review: StripeReview) {
        self.init(status: review.open ? .open : .closed, reason: review.open ? review.openedReason : review.closedReason)
    }
}

/// What Radar said about the payment's charge, read from an intent whose `latest_charge` came expanded.
public struct RiskFacts: Sendable, Equatable {
    /// The charge's `outcome.type`: `authorized`, `manual_review`, `issuer_declined`, `blocked`, `invalid`.
    public var outcome: String?
    public var review: PaymentReview?

    public init(outcome: String?, review: PaymentReview?) {
        self.outcome = outcome
        self.review = review
    }

    public init?(_ intent: StripePaymentIntent?) {
        guard let charge = intent?.charge else { return nil }
        self.init(outcome: charge.outcome?.type, review: charge.review.map(PaymentReview.init))
    }

    /// The events that tell what changed since `known`: a review opened, closed, or both at once.
    public func events(since known: PaymentReview?, paymentId: String, orderId: String, at time: String) -> [DomainEvent] {
        guard let review, review != known else { return [] }
        var events: [DomainEvent] = []
        if known == nil {
            let opened = review.status == .open ? review.reason : nil
            events.append(.paymentReviewOpened(paymentId: paymentId, orderId: orderId, reason: opened, openedAt: time))
        }
        if review.status == .closed {
            events.append(.paymentReviewClosed(paymentId: paymentId, orderId: orderId, reason: review.reason, closedAt: time))
        }
        return events
    }

    /// Writes these facts into `change`, with the review events since `known`.
    public func apply(to change: inout PaymentChange, events: inout [DomainEvent], known: PaymentReview?, op: ClaimedOperation, at time: String) {
        change.riskOutcome = outcome
        guard let review, review != known, known?.status != .closed else { return }
        change.review = review
        events += self.events(since: known, paymentId: op.paymentId, orderId: op.payment.orderId, at: time)
    }
}
