import StripeModels

/// What an operation's state machine asks its executor to do next. The executor performs it and feeds the
/// result back as the machine's next event; the actions under "ends the run" are the last of a claim.
public enum OperationAction: Sendable, Equatable {
    /// A processor call; its answer comes back through `answered(_:)`.
    case call(ProcessorCall)
    /// Record the operation's first processor call before making it, with its `*-requested` event; the
    /// answer (`dispatchRecorded`) says whether the operation is still wanted and still this claim's.
    case recordDispatch(DomainEvent?)
    /// Remember a created intent's `pi_…`; the answer (`referenceRecorded`) is the reference now on record.
    case recordReference(String)
    /// Read the reference on record after the lease was lost (`recordedReferenceRead`).
    case readRecordedReference
    /// Look up the local refund a processor refund names (`refundFound`).
    case findRefund(id: String)
    /// Record where a refund a sync read back stands (`refundRecorded`).
    case recordRefund(RefundRecord)
    /// Record a refund made elsewhere (the dashboard), found by a sync with no `refund_id` of ours (`refundRecorded`).
    case recordForeignRefund(ForeignRefund)
    /// Look up the recorded dispute of this processor reference (`disputeFound`).
    case findDispute(reference: String)

    // Ends the run:
    /// Record where the refund's own operation leaves it: ended, or watched again after `watchAgainAfter`.
    case settleRefund(RefundRecord)
    /// The operation's outcome: the payment's change, its events, and how the operation ends.
    case finish(PaymentChange, events: [DomainEvent], resolution: OperationStatus)
    /// Back in the queue after the backoff.
    case reschedule(Reschedule)
    /// The authorization waits for the customer's authentication: `change` and `events` are recorded and the
    /// operation stays queued, to read the intent back after `recheckAfter` (or as soon as a webhook says it moved).
    case awaitCustomer(PaymentChange, events: [DomainEvent], recheckAfter: Duration)
    /// Record a dispute read back, with its events, and end the operation.
    case recordDispute(DisputeTransition)
    /// Nothing more to write: the operation is no longer this claim's, or is no longer wanted.
    case end(reason: String)
}

/// One call to the processor, with its idempotency key where the call can move money.
public enum ProcessorCall: Sendable, Equatable {
    case createIntent(CreatePaymentIntentParams, idempotencyKey: String)
    /// `offSession` false for a customer-present payment: a card that needs authentication answers `requires_action`.
    case confirmIntent(id: String, paymentMethod: String, offSession: Bool, idempotencyKey: String)
    case retrieveIntent(id: String)
    /// The intents whose `metadata.payment_id` is this payment's (the processor's search lags behind writes).
    case searchIntents(paymentId: String)
    case captureIntent(id: String, amount: Int?, idempotencyKey: String)
    /// `reason`: Stripe's `cancellation_reason` (nil for a void).
    case cancelIntent(id: String, idempotencyKey: String, reason: String? = nil)
    case createRefund(CreateRefundParams, idempotencyKey: String)
    case retrieveRefund(id: String)
    case listRefunds(intentId: String)
    case retrieveDispute(id: String)
}

/// A processor call's classified answer, by the kind of object it carries.
public enum ProcessorAnswer: Sendable {
    case intent(StripeResult<StripePaymentIntent>)
    case intents(StripeResult<[StripePaymentIntent]>)
    case refund(StripeResult<StripeRefund>)
    case refunds(StripeResult<[StripeRefund]>)
    case dispute(StripeResult<StripeDispute>)
}

/// Another attempt later, after the usual backoff, with `reason` in the operation's `last_error` (nil: a
/// plain wait, such as a void waiting for its authorization).
public struct Reschedule: Sendable, Equatable {
    public var reason: String?
    /// A create whose key replays a saved 500 moves to this create key number.
    public var newCreateAttempt: Int?
    /// A call whose key replays a saved 500 (proved harmless) moves to this key number.
    public var newKeyAttempt: Int?
    /// The reason is an unreadable answer: it counts towards parking the operation.
    public var protocolFault: Bool

    public init(reason: String?, newCreateAttempt: Int? = nil, newKeyAttempt: Int? = nil, protocolFault: Bool = false) {
        self.reason = reason
        self.newCreateAttempt = newCreateAttempt
        self.newKeyAttempt = newKeyAttempt
        self.protocolFault = protocolFault
    }
}
