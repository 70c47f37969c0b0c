/// What the record holds about one payment, as reconciliation compares it: the payment, its refunds, its
/// recorded disputes and its operations that have not ended.
public struct RecordedPayment: Sendable, Equatable {
    public var payment: Payment
    public var refunds: [Refund]
    public var disputes: [RecordedDispute]
    /// Operations queued (waiting or running) or parked, by kind.
    public var openOperations: [OpenOperation]

    public init(payment: Payment, refunds: [Refund] = [], disputes: [RecordedDispute] = [], openOperations: [OpenOperation] = []) {
        self.payment = payment
        self.refunds = refunds
        self.disputes = disputes
        self.openOperations = openOperations
    }

    /// Work in flight that may still bring the record and the processor together: compare again once it ends.
    public var hasQueuedWork: Bool { openOperations.contains { $0.status == .queued } }

    /// The authorization may still create or confirm an intent (queued, running or parked): a hold the record does
    /// not name may be its own.
    public var authorizationUnfinished: Bool { openOperations.contains { $0.kind == .authorize } }

    public func refund(matching processorRefund: String, refundId: String?) -> Refund? {
        refunds.first { $0.processorReference == processorRefund } ?? refundId.flatMap { id in refunds.first { $0.refundId == id } }
    }
}

public struct OpenOperation: Sendable, Equatable {
    public var kind: OperationKind
    /// `queued` or `parked`.
    public var status: OperationStatus

    public init(kind: OperationKind, status: OperationStatus) {
        self.kind = kind
        self.status = status
    }
}

/// A dispute as the record holds it (the `disputes` table).
public struct RecordedDispute: Sendable, Equatable {
    public var processorReference: String
    public var paymentId: String
    public var amount: Int
    public var currency: String
    public var status: String

    public init(processorReference: String, paymentId: String, amount: Int, currency: String, status: String) {
        self.processorReference = processorReference
        self.paymentId = paymentId
        self.amount = amount
        self.currency = currency
        self.status = status
    }
}
