/// One claim of an operation: every write of its effects names it, and lands only while the operation's
/// `lease_generation` is still this one (a later claim, after the lease expired, fences the earlier runner out).
public struct OperationLease: Sendable, Equatable {
    public var operationId: Int
    public var generation: Int

    public init(operationId: Int, generation: Int) {
        self.operationId = operationId
        self.generation = generation
    }
}

/// A queued processor operation a worker holds a lease on, with what it needs of its payment.
public struct ClaimedOperation: Sendable, Equatable {
    public var id: Int
    /// This claim's lease generation (its fencing token).
    public var generation: Int
    public var kind: OperationKind
    public var paymentId: String
    public var refundId: String?
    public var amount: Int?
    /// The base of the Stripe idempotency keys of this operation's calls.
    public var idempotencyKey: String
    /// Claims so far, this one included.
    public var attempts: Int
    public var createAttempt: Int
    /// The number in the keys of this operation's calls other than a create (0: the key without a number).
    public var keyAttempt: Int
    /// Unreadable answers so far (a bounded number, then the operation is parked).
    public var protocolFaults: Int
    public var dispatched: Bool
    /// How long ago its first processor call was recorded (nil: never).
    public var sinceDispatch: Duration?
    public var payment: PaymentContext
    /// The refund a `refund` operation drives.
    public var refund: RefundContext?
    /// The dispute (`dp_…`) a `dispute` operation reads back.
    public var disputeReference: String?
    /// The W3C `traceparent` of the request that queued it (or retried it): the run's spans join that trace.
    public var traceparent: String?

    public init(
        id: Int, generation: Int = 1, kind: OperationKind, paymentId: String, refundId: String? = nil, amount: Int? = nil,
        idempotencyKey: String, attempts: Int, createAttempt: Int = 0, keyAttempt: Int = 0, protocolFaults: Int = 0, dispatched: Bool = false,
        sinceDispatch: Duration? = nil,
        payment: PaymentContext, refund: RefundContext? = nil, disputeReference: String? = nil, traceparent: String? = nil
    ) {
        self.disputeReference = disputeReference
        self.traceparent = traceparent
        self.id = id
        self.generation = generation
        self.kind = kind
        self.paymentId = paymentId
        self.refundId = refundId
        self.amount = amount
        self.idempotencyKey = idempotencyKey
        self.attempts = attempts
        self.createAttempt = createAttempt
        self.keyAttempt = keyAttempt
        self.protocolFaults = protocolFaults
        self.dispatched = dispatched
        self.sinceDispatch = sinceDispatch
        self.payment = payment
        self.refund = refund
    }

    public var lease: OperationLease { OperationLease(operationId: id, generation: generation) }

    /// A new payment's authorization as its first claim sees it, for one born leased and dispatched in the
    /// commit that recorded the payment (generation 1, first attempt, first keys).
    public static func bornLeased(
        id: Int, paymentId: String, idempotencyKey: String, command: AuthorizeCommand, traceparent: String? = nil
    ) -> ClaimedOperation {
        ClaimedOperation(
            id: id, generation: 1, kind: .authorize, paymentId: paymentId, idempotencyKey: idempotencyKey, attempts: 1,
            dispatched: true, sinceDispatch: .zero, payment: PaymentContext(requested: command), traceparent: traceparent)
    }
}

/// The refund fields a refund call is made of, and where it stands.
public struct RefundContext: Sendable, Equatable {
    public var status: RefundStatus
    public var amount: Int
    public var reason: RefundReason?
    public var processorReference: String?

    public init(status: RefundStatus, amount: Int, reason: RefundReason?, processorReference: String?) {
        self.status = status
        self.amount = amount
        self.reason = reason
        self.processorReference = processorReference
    }
}

/// The payment fields a processor call is made of.
public struct PaymentContext: Sendable, Equatable {
    public var status: PaymentStatus
    public var orderId: String
    public var customerId: String?
    public var amount: Int
    public var currency: String
    public var capture: CaptureMode
    public var paymentMethod: String
    public var processorReference: String?
    public var metadata: [String: String]
    public var customerPresent: Bool
    /// How long the payment has been REQUIRES_ACTION (nil: it is not).
    public var actionAge: Duration?
    /// The Radar review on record, to publish only what changed.
    public var review: PaymentReview?

    public init(
        status: PaymentStatus, orderId: String, customerId: String?, amount: Int, currency: String, capture: CaptureMode,
        paymentMethod: String, processorReference: String?, metadata: [String: String], customerPresent: Bool = false,
        actionAge: Duration? = nil, review: PaymentReview? = nil
    ) {
        self.status = status
        self.orderId = orderId
        self.customerId = customerId
        self.amount = amount
        self.currency = currency
        self.capture = capture
        self.paymentMethod = paymentMethod
        self.processorReference = processorReference
        self.metadata = metadata
        self.customerPresent = customerPresent
        self.actionAge = actionAge
        self.review = review
    }

    /// A payment just recorded from `command`.
    public init(requested command: AuthorizeCommand) {
        self.init(
            status: .requested, orderId: command.orderId, customerId: command.customerId, amount: command.amount,
            currency: command.currency, capture: command.capture, paymentMethod: command.paymentMethod, processorReference: nil,
            metadata: command.metadata, customerPresent: command.customerPresent)
    }
}
