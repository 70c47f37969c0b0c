/// A payment as the API shows it (`contract.md`, "Payment resource").
public struct Payment: Sendable, Equatable {
    public var paymentId: String
    public var cartId: String
    public var orderId: String
    public var customerId: String?
    public var amount: Int
    public var currency: String
    public var status: PaymentStatus
    public var capture: CaptureMode
    public var amountCaptured: Int
    public var amountRefunded: Int
    public var failureReason: FailureReason?
    public var declineCode: String?
    public var processorReference: String?
    public var lastError: PaymentError?
    /// While REQUIRES_ACTION: what the customer's browser completes.
    public var nextAction: NextAction?
    /// Radar's `outcome.type` for the charge (nil: no charge).
    public var riskOutcome: String?
    public var review: PaymentReview?
    /// When the processor drops the uncaptured hold (its `capture_before`); nil when it gives no deadline.
    public var authorizationExpiresAt: String?
    public var voidReason: VoidReason?
    /// The amount of the payment's disputes that are open or lost.
    public var amountDisputed: Int = 0
    /// The credential that asked for it (`Attribution.actor`); nil for payments made before credentials had names.
    public var createdBy: String?
    public var createdAt: String
    public var updatedAt: String

    public init(
        paymentId: String, cartId: String, orderId: String, customerId: String?, amount: Int, currency: String,
        status: PaymentStatus, capture: CaptureMode, amountCaptured: Int = 0, amountRefunded: Int = 0,
        failureReason: FailureReason? = nil, declineCode: String? = nil, processorReference: String? = nil,
        lastError: PaymentError? = nil, nextAction: NextAction? = nil, riskOutcome: String? = nil, review: PaymentReview? = nil,
        createdAt: String, updatedAt: String, createdBy: String? = nil
    ) {
        self.createdBy = createdBy
        self.paymentId = paymentId
        self.cartId = cartId
        self.orderId = orderId
        self.customerId = customerId
        self.amount = amount
        self.currency = currency
        self.status = status
        self.capture = capture
        self.amountCaptured = amountCaptured
        self.amountRefunded = amountRefunded
        self.failureReason = failureReason
        self.declineCode = declineCode
        self.processorReference = processorReference
        self.lastError = lastError
        self.nextAction = nextAction
        self.riskOutcome = riskOutcome
        self.review = review
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
