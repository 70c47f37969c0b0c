import StripeModels

/// A refund made elsewhere (the processor's dashboard), found by a sync among the intent's refunds with no
/// `refund_id` of ours. It is recorded as the processor shows it, with the events a refund of ours would have.
/// A refund that failed before it was ever recorded moved no money and is left out.
public struct ForeignRefund: Sendable, Equatable {
    public var processorReference: String
    public var amount: Int
    public var status: RefundStatus
    public var reason: RefundReason?
    public var failureReason: String?

    public init(processorReference: String, amount: Int, status: RefundStatus, reason: RefundReason? = nil, failureReason: String? = nil) {
        self.processorReference = processorReference
        self.amount = amount
        self.status = status
        self.reason = reason
        self.failureReason = failureReason
    }

    public init(_ refund: StripeRefund) {
        let (status, failure): (RefundStatus, String?) = switch RefundDecision.state(of: refund) {
        case .state(let status, _, let failureReason): (status, failureReason)
        default: (.requested, nil)
        }
        self.init(
            processorReference: refund.id, amount: refund.amount, status: status, reason: refund.reason.flatMap(RefundReason.init(rawValue:)),
            failureReason: failure)
    }

    /// The events of recording it: `recorded` is the status already on record for this processor refund (nil:
    /// seen for the first time). Empty when nothing is to be written.
    public func events(refundId: String, payment: PaymentContext, paymentId: String, recorded: RefundStatus?, at time: String) -> [DomainEvent] {
        let currency = payment.currency
        var events: [DomainEvent] = []
        if recorded == nil {
            guard status != .failed else { return [] }
            events.append(.refundRequested(
                refundId: refundId, paymentId: paymentId, orderId: payment.orderId, amount: amount, currency: currency,
                reason: reason?.rawValue, requestedAt: time))
        }
        guard RefundTransition(from: recorded ?? .requested, to: status, amount: amount).moves else { return events }
        switch status {
        case .processed:
            events.append(.refundProcessed(refundId: refundId, paymentId: paymentId, amount: amount, currency: currency, processedAt: time))
        case .failed:
            events.append(.refundFailed(
                refundId: refundId, paymentId: paymentId, amount: amount, currency: currency, reason: failureReason, failedAt: time))
        case .requested:
            break
        }
        return events
    }
}
