/// What an operation's outcome does to its payment. `status` is applied with a compare-and-set: only
/// from a status that may move to it, so a late or repeated outcome never moves a payment back.
public struct PaymentChange: Sendable, Equatable {
    public var status: PaymentStatus?
    public var amountCaptured: Int?
    public var failureReason: FailureReason?
    public var declineCode: String?
    public var processorReference: String?
    public var lastError: PaymentError?
    /// A success of this operation kind (`capture`, `void`…): the `lastError` an earlier refused attempt of it
    /// left is cleared (any other `lastError` stays).
    public var succeeded: String?
    /// Written with REQUIRES_ACTION; the store forgets it once the payment leaves that status.
    public var nextAction: NextAction?
    public var riskOutcome: String?
    public var review: PaymentReview?
    /// The hold's deadline (RFC 3339), written with AUTHORIZED.
    public var authorizationExpiresAt: String?
    /// Written with VOIDED; without one, the store takes the reason the void operation was asked with.
    public var voidReason: VoidReason?

    public init(
        status: PaymentStatus? = nil, amountCaptured: Int? = nil, failureReason: FailureReason? = nil,
        declineCode: String? = nil, processorReference: String? = nil, lastError: PaymentError? = nil, succeeded: String? = nil,
        nextAction: NextAction? = nil, riskOutcome: String? = nil, review: PaymentReview? = nil, voidReason: VoidReason? = nil
    ) {
        self.voidReason = voidReason
        self.status = status
        self.amountCaptured = amountCaptured
        self.failureReason = failureReason
        self.declineCode = declineCode
        self.processorReference = processorReference
        self.lastError = lastError
        self.succeeded = succeeded
        self.nextAction = nextAction
        self.riskOutcome = riskOutcome
        self.review = review
    }
}
