import Foundation

/// All the sandbox's objects, in memory. Methods validate against the current state, mutate it and
/// publish the matching webhook events.
actor SandboxState {
    /// What search can see of an intent: each version becomes searchable `search_lag_ms` after it was written.
    struct SearchVersion: Sendable {
        let writtenAt: ContinuousClock.Instant
        let intent: PaymentIntent
    }

    var intents: [String: PaymentIntent] = [:]
    var intentOrder: [String] = []
    var charges: [String: Charge] = [:]
    var chargeOrder: [String] = []
    var refunds: [String: Refund] = [:]
    var refundOrder: [String] = []
    /// Each intent's refunds in creation order, so its list and the ledger need not scan every refund.
    var refundsByIntent: [String: [String]] = [:]
    var reviews: [String: Review] = [:]
    var disputes: [String: Dispute] = [:]
    var disputeOrder: [String] = []
    var searchVersions: [String: [SearchVersion]] = [:]
    /// Seconds `POST /_sandbox/clock` moved sandbox time ahead of real time.
    var clockOffset = 0

    let publisher: any EventPublishing
    let background: BackgroundWork
    /// How long a `pm_card_refundFail` refund stays `succeeded` before it fails, and a
    /// `pm_card_pendingRefund` one `pending` before it succeeds.
    let asyncRefundDelay: Duration
    /// How long after the money is taken a `pm_card_createDispute` charge is disputed.
    let disputeDelay: Duration

    init(
        events: any EventPublishing, background: BackgroundWork, asyncRefundDelay: Duration = .seconds(2),
        disputeDelay: Duration = .seconds(1)
    ) {
        self.publisher = events
        self.background = background
        self.asyncRefundDelay = asyncRefundDelay
        self.disputeDelay = disputeDelay
    }

    /// Unix seconds of real time: what webhook signatures carry, so receivers' tolerance still holds.
    static var realNow: Int { Int(Date().timeIntervalSince1970) }

    /// Unix seconds of sandbox time: every object's and event's `created`, `capture_before`, `due_by` and
    /// list filters.
    var now: Int { Self.realNow + clockOffset }

    /// Where webhook events go, stamped with sandbox time (their signatures keep real time).
    var events: StampedEvents { StampedEvents(publisher: publisher, created: now) }

    func reset() {
        intents = [:]
        intentOrder = []
        charges = [:]
        chargeOrder = []
        refunds = [:]
        refundOrder = []
        refundsByIntent = [:]
        reviews = [:]
        disputes = [:]
        disputeOrder = []
        searchVersions = [:]
        clockOffset = 0
    }

    func intent(_ id: String, param: String = "intent") throws(StripeError) -> PaymentIntent {
        guard let intent = intents[id] else {
            throw .noSuch("payment_intent", id: id, param: param == "intent" ? "intent" : param)
        }
        return intent
    }

    /// Stores a changed intent and records the version search will see.
    func save(_ intent: PaymentIntent) {
        if intents.updateValue(intent, forKey: intent.id) == nil { intentOrder.append(intent.id) }
        searchVersions[intent.id, default: []].append(SearchVersion(writtenAt: .now, intent: intent))
    }

    func save(_ charge: Charge) {
        if charges.updateValue(charge, forKey: charge.id) == nil { chargeOrder.append(charge.id) }
    }

    func save(_ refund: Refund) {
        guard refunds.updateValue(refund, forKey: refund.id) == nil else { return }
        refundOrder.append(refund.id)
        refundsByIntent[refund.paymentIntent, default: []].append(refund.id)
    }

    func search(_ query: SearchQuery, lag: Duration, limit: Int) -> [JSONValue] {
        let horizon = ContinuousClock.now - lag
        var found: [PaymentIntent] = []
        for id in intentOrder.reversed() {
            guard let visible = searchVersions[id]?.last(where: { $0.writtenAt <= horizon })?.intent else { continue }
            if query.matches(visible) { found.append(visible) }
            if found.count == limit { break }
        }
        return found.map(\.json)
    }
}
