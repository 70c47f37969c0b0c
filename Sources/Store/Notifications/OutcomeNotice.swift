import Payments

/// What the worker of this process just committed for a payment: an operation's outcome (or its rescheduling
/// with an error), or where one of its refunds now stands. `payment` is the payment as an operation's end left
/// it, in the statement that committed it (nil for the other writes, and when the end changed nothing): whoever
/// waits on the payment answers with it, or reads the record.
public struct OutcomeNotice: Sendable, Equatable {
    public var paymentId: String
    public var operationId: Int?
    public var refundId: String?
    public var payment: Payment?

    public init(paymentId: String, operationId: Int? = nil, refundId: String? = nil, payment: Payment? = nil) {
        self.paymentId = paymentId
        self.operationId = operationId
        self.refundId = refundId
        self.payment = payment
    }

    /// The stream the worker publishes on. Bounded: publishing never blocks the worker, and a notice dropped
    /// because the consumer fell behind only leaves its waiter to the event NOTIFY.
    public static func makeStream() -> (stream: AsyncStream<OutcomeNotice>, continuation: AsyncStream<OutcomeNotice>.Continuation) {
        AsyncStream<OutcomeNotice>.makeStream(bufferingPolicy: .bufferingNewest(1024))
    }
}
