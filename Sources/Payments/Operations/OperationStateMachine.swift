/// An operation's rules as a value: events in, actions out, no I/O (`OperationExecutor` performs the actions).
/// Each kind has its own machine; an event a machine never asks for ends the run without a write.
public protocol OperationStateMachine: Sendable {
    /// The first action of a claim.
    mutating func start() -> OperationAction
    mutating func answered(_ answer: ProcessorAnswer) -> OperationAction
    mutating func dispatchRecorded(stillWanted: Bool) -> OperationAction
    mutating func referenceRecorded(_ recorded: String) -> OperationAction
    mutating func recordedReferenceRead(_ recorded: String?) -> OperationAction
    mutating func refundFound(_ refund: Refund?) -> OperationAction
    mutating func refundRecorded() -> OperationAction
    /// `freshId`: the id the dispute takes if it is recorded for the first time.
    mutating func disputeFound(_ dispute: Dispute?, freshId: String) -> OperationAction
    /// A fenced write was refused: a later claim holds the operation now.
    mutating func leaseLost() -> OperationAction
}

/// The result of an action, fed back to the machine that asked for it.
public enum OperationEvent: Sendable {
    case answered(ProcessorAnswer)
    case dispatchRecorded(stillWanted: Bool)
    case referenceRecorded(String)
    case recordedReferenceRead(String?)
    case refundFound(Refund?)
    case refundRecorded
    case disputeFound(Dispute?, freshId: String)
    case leaseLost
}

extension OperationStateMachine {
    public mutating func receive(_ event: OperationEvent) -> OperationAction {
        switch event {
        case .answered(let answer): answered(answer)
        case .dispatchRecorded(let stillWanted): dispatchRecorded(stillWanted: stillWanted)
        case .referenceRecorded(let recorded): referenceRecorded(recorded)
        case .recordedReferenceRead(let recorded): recordedReferenceRead(recorded)
        case .refundFound(let refund): refundFound(refund)
        case .refundRecorded: refundRecorded()
        case .disputeFound(let dispute, let freshId): disputeFound(dispute, freshId: freshId)
        case .leaseLost: leaseLost()
        }
    }

    public mutating func dispatchRecorded(stillWanted: Bool) -> OperationAction { .unexpected("dispatchRecorded") }
    public mutating func referenceRecorded(_ recorded: String) -> OperationAction { .unexpected("referenceRecorded") }
    public mutating func recordedReferenceRead(_ recorded: String?) -> OperationAction { .unexpected("recordedReferenceRead") }
    public mutating func refundFound(_ refund: Refund?) -> OperationAction { .unexpected("refundFound") }
    public mutating func refundRecorded() -> OperationAction { .unexpected("refundRecorded") }
    public mutating func disputeFound(_ dispute: Dispute?, freshId: String) -> OperationAction { .unexpected("disputeFound") }
    public mutating func leaseLost() -> OperationAction { .end(reason: OperationAction.leaseTakenOver) }
}

extension OperationAction {
    static let leaseTakenOver = "lease taken over by a later claim: this runner stops, its writes refused"

    /// An event the machine did not ask for: nothing is written, and the lease expires into a new claim.
    static func unexpected(_ event: String) -> OperationAction { .end(reason: "unexpected event \(event)") }
}

extension ClaimedOperation {
    /// The machine that runs this operation's kind.
    public func stateMachine(
        searchLag: Duration, authentication: AuthenticationPolicy = AuthenticationPolicy(), now: @escaping @Sendable () -> String
    ) -> any OperationStateMachine {
        switch kind {
        case .authorize: AuthorizationStateMachine(self, searchLag: searchLag, authentication: authentication, now: now)
        case .capture, .void: CaptureVoidStateMachine(self, now: now)
        case .refund: RefundStateMachine(self, now: now)
        case .sync: SyncStateMachine(self, now: now)
        case .dispute: DisputeStateMachine(self, now: now)
        }
    }
}
