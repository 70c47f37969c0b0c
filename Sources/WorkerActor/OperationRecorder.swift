import Logging
import Payments
import Store
import Support

/// The ends every runner shares, each written under the claim's lease (a claim taken over writes nothing):
/// another attempt later, nothing left to do, or parked.
struct OperationRecorder: Sendable {
    let database: Database
    let backoff: Backoff
    let logger: Logger

    /// Protocol faults (answers lacking a field a decision needs) an operation may meet; the last one parks it.
    static let protocolFaultAttempts = 5

    /// Back in the queue after the usual backoff, with `reason` on record.
    func retry(
        _ op: ClaimedOperation, reason: String, newCreateAttempt: Int? = nil, newKeyAttempt: Int? = nil, protocolFault: Bool = false
    ) async throws(StoreError) {
        let delay = backoff.delay(afterAttempt: op.attempts)
        logger.notice("\(op.kind.rawValue) will be retried", metadata: [
            "attempt": "\(op.attempts)", "reason": "\(reason)", "delay": "\(delay)",
        ])
        try await database.reschedule(
            op.lease, after: delay, error: reason, newCreateAttempt: newCreateAttempt, newKeyAttempt: newKeyAttempt,
            protocolFault: protocolFault)
    }

    /// Settled elsewhere meanwhile (a webhook, another operation): nothing to send or record.
    func done(_ op: ClaimedOperation) async throws(StoreError) {
        try await database.finishOperation(op.lease, paymentId: op.paymentId, change: PaymentChange(), events: [], resolution: .done)
    }

    /// Retried while the unreadable answers are few, then parked: the processor's answers stay unreadable.
    func protocolFault(_ op: ClaimedOperation, reason: String) async throws(StoreError) {
        guard op.protocolFaults + 1 >= Self.protocolFaultAttempts else {
            return try await retry(op, reason: "protocol fault: \(reason)", protocolFault: true)
        }
        try await park(op, code: "processor_protocol_fault", reason: reason)
    }

    /// Stops the operation until a webhook's read-back or an operator releases it, and says why in the
    /// payment's `lastError`.
    func park(_ op: ClaimedOperation, code: String, reason: String) async throws(StoreError) {
        logger.error("operation parked", metadata: ["code": "\(code)", "reason": "\(reason)", "attempt": "\(op.attempts)"])
        let error = PaymentError(operation: op.kind.rawValue, code: code, message: reason, at: Timestamp.now())
        try await database.finishOperation(
            op.lease, paymentId: op.paymentId, change: PaymentChange(lastError: error), events: [], resolution: .parked)
    }
}
