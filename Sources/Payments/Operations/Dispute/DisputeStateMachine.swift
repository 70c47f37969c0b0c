import StripeModels

/// After a `charge.dispute.*` webhook (or a reconciliation run) named a dispute: reads it back by id and records
/// where it stands, with the events its change announces (`DisputeTransition`). The write ends the operation.
public struct DisputeStateMachine: OperationStateMachine {
    private enum State: Sendable, Equatable {
        case initial
        case reading
        case finding(StripeDispute)
        case ended
    }

    private let op: ClaimedOperation
    private let now: @Sendable () -> String
    private var state = State.initial

    public init(_ op: ClaimedOperation, now: @escaping @Sendable () -> String) {
        self.op = op
        self.now = now
    }

    public mutating func start() -> OperationAction {
        guard let reference = op.disputeReference else { return ended(op.nothingToDo) }
        state = .reading
        return .call(.retrieveDispute(id: reference))
    }

    /// A dispute of another intent than the payment's is not this payment's to record.
    public mutating func answered(_ answer: ProcessorAnswer) -> OperationAction {
        guard state == .reading, case .dispute(let result) = answer else { return .unexpected("answer") }
        switch result {
        case .success(let dispute) where dispute.paymentIntent != nil && dispute.paymentIntent != op.payment.processorReference:
            return ended(op.nothingToDo)
        case .success(let dispute):
            state = .finding(dispute)
            return .findDispute(reference: dispute.id)
        case .rejected:
            return ended(op.nothingToDo)
        case .unknown(let failure) where failure.isProtocolFault:
            return ended(op.protocolFault(failure.message, at: now()))
        default:
            return ended(op.reschedule("dispute read-back failed"))
        }
    }

    public mutating func disputeFound(_ recorded: Dispute?, freshId: String) -> OperationAction {
        guard case .finding(let read) = state else { return .unexpected("disputeFound") }
        guard let transition = DisputeTransition(
            read: read, recorded: recorded, paymentId: op.paymentId, orderId: op.payment.orderId, newId: freshId, at: now())
        else { return ended(op.protocolFault("dispute \(read.id) has an unknown status `\(read.status)`", at: now())) }
        guard transition.changes(recorded) else { return ended(op.nothingToDo) }
        return ended(.recordDispute(transition))
    }

    private mutating func ended(_ action: OperationAction) -> OperationAction {
        state = .ended
        return action
    }
}
