/// `POST /operations/{id}/retry`: what an operator's retry of one operation comes to, decided under the
/// payment's row lock from the payment and all of its operations. The store carries it out.
///
/// - Parked (any kind): released under its own key, its unreadable answers counted afresh. The key is not
///   spent: the processor answers a replay with what it saved, so no second effect can come of it.
/// - Queued: answered as it stands.
/// - Refused for good (failed): a capture or a void is asked again through `LifecycleDecision` (a new attempt
///   under the next key number, or its conflict); a read-back is queued again. An authorization that ended
///   FAILED is never retried, nor is a refund (ask for a new refund: its reservation was released).
/// - Done or cancelled: nothing to retry.
public enum RetryDecision: Sendable, Equatable {
    case release(OperationSummary)
    case asItStands(OperationSummary)
    /// Capture or void asked again, as `LifecycleDecision` decides.
    case lifecycle(LifecycleDecision)
    /// A new read-back of this kind.
    case readAgain(OperationKind)
    case conflict(String)

    public static func decide(_ operation: OperationSummary, payment: Payment, operations: [OperationSummary], now: String) -> RetryDecision {
        switch operation.status {
        case .parked: return .release(operation)
        case .queued: return .asItStands(operation)
        case .done, .cancelled: return .conflict("operation \(operation.id) is \(operation.status.rawValue): there is nothing to retry")
        case .failed: return refused(operation, payment: payment, operations: operations, now: now)
        }
    }

    private static func refused(_ operation: OperationSummary, payment: Payment, operations: [OperationSummary], now: String) -> RetryDecision {
        switch operation.kind {
        case .authorize:
            return .conflict("an authorization that ended FAILED is never retried: Ordering sends a new AuthorizePayment")
        case .refund:
            return .conflict("a refused refund is not retried: ask for a new refund (its amount is refundable again)")
        case .capture:
            return .lifecycle(LifecycleDecision.capture(payment: payment, operations: operations, amount: operation.amount, now: now))
        case .void:
            return .lifecycle(LifecycleDecision.void(payment: payment, operations: operations))
        case .sync, .dispute:
            return .readAgain(operation.kind)
        }
    }
}
