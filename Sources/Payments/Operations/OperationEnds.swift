/// The ends every operation shares: another attempt later, nothing left to do, or parked.
extension ClaimedOperation {
    /// Unreadable answers (a field a decision needs is missing) an operation may meet; the last one parks it.
    public static let protocolFaultAttempts = 5

    /// Back in the queue after the backoff, with `reason` on record.
    public func reschedule(_ reason: String, newCreateAttempt: Int? = nil, newKeyAttempt: Int? = nil) -> OperationAction {
        .reschedule(Reschedule(reason: reason, newCreateAttempt: newCreateAttempt, newKeyAttempt: newKeyAttempt))
    }

    /// Settled elsewhere meanwhile (a webhook, another operation): nothing to send or record.
    public var nothingToDo: OperationAction { .finish(PaymentChange(), events: [], resolution: .done) }

    /// Retried while the unreadable answers are few, then parked: the processor's answers stay unreadable.
    public func protocolFault(_ reason: String, at time: String) -> OperationAction {
        guard protocolFaults + 1 >= Self.protocolFaultAttempts else {
            return .reschedule(Reschedule(reason: "protocol fault: \(reason)", protocolFault: true))
        }
        return park(code: "processor_protocol_fault", reason: reason, at: time)
    }

    /// Stops the operation until a webhook's read-back or an operator releases it, and says why in the
    /// payment's `lastError`.
    public func park(code: String, reason: String, at time: String) -> OperationAction {
        let error = PaymentError(operation: kind.rawValue, code: code, message: reason, at: time)
        return .finish(PaymentChange(lastError: error), events: [], resolution: .parked)
    }
}
