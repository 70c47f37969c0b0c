/// Where a refund goes when the processor says it stands at `to`: forward only (REQUESTED → PROCESSED or
/// FAILED, PROCESSED → FAILED when the processor fails it afterwards), never back.
public struct RefundTransition: Sendable, Equatable {
    public var from: RefundStatus
    public var to: RefundStatus
    /// The refund's amount.
    public var amount: Int

    public init(from: RefundStatus, to: RefundStatus, amount: Int) {
        self.from = from
        self.to = to
        self.amount = amount
    }

    /// Whether the refund's status changes (and its events are written).
    public var moves: Bool { from != to && (from == .requested || (from == .processed && to == .failed)) }

    /// What the payment's `amountRefunded` changes by: the amount when the refund is processed, minus it when a
    /// processed refund fails afterwards, nothing otherwise.
    public var refundedDelta: Int {
        guard moves else { return 0 }
        if to == .processed { return amount }
        return from == .processed ? -amount : 0
    }

    /// How the refund's own operation ends when it is not watched again: failed only when the processor refused
    /// a refund that never went through.
    public var operationResolution: OperationStatus { to == .failed && from == .requested ? .failed : .done }
}

/// Where the processor says a refund stands, to be recorded with its events.
public struct RefundRecord: Sendable, Equatable {
    public var refundId: String
    public var status: RefundStatus
    public var processorReference: String?
    public var failureReason: String?
    /// Written only when the refund moves.
    public var events: [DomainEvent]
    /// Set on the payment (an earlier refused attempt of the same operation kind is replaced).
    public var lastError: PaymentError?
    /// For the refund's own operation: left queued for another read-back after this long; nil ends it.
    public var watchAgainAfter: Duration?

    public init(
        refundId: String, status: RefundStatus, processorReference: String?, failureReason: String? = nil,
        events: [DomainEvent], lastError: PaymentError? = nil, watchAgainAfter: Duration? = nil
    ) {
        self.refundId = refundId
        self.status = status
        self.processorReference = processorReference
        self.failureReason = failureReason
        self.events = events
        self.lastError = lastError
        self.watchAgainAfter = watchAgainAfter
    }
}
