import Payments
import Store

/// The writes and reads an operation's executor makes; every write of a claim's effects is fenced by its lease
/// (`StoreError.leaseLost` when a later claim took it over). `Database` is the store; tests may model it.
public protocol OperationStore: Sendable {
    func recordDispatch(of operation: ClaimedOperation, event: DomainEvent?) async throws(StoreError) -> Bool
    func recordProcessorReference(_ lease: OperationLease, paymentId: String, reference: String) async throws(StoreError) -> String
    func recordedReference(paymentId: String) async throws(StoreError) -> String?
    func refund(id: String) async throws(StoreError) -> Refund?
    func record(_ write: RefundRecord, under lease: OperationLease, drivesRefund: Bool) async throws(StoreError)
    /// The payment as the end left it; nil when its change did not apply. `recheckAfter`: it stays queued, due then.
    @discardableResult
    func finishOperation(
        _ lease: OperationLease, paymentId: String, change: PaymentChange, events: [DomainEvent], resolution: OperationStatus,
        recheckAfter: Duration?
    ) async throws(StoreError) -> Payment?
    func reschedule(
        _ lease: OperationLease, after delay: Duration, error: String?, newCreateAttempt: Int?, newKeyAttempt: Int?, protocolFault: Bool
    ) async throws(StoreError)
    func renewLease(_ lease: OperationLease, for duration: Duration) async throws(StoreError) -> Bool
    func dispute(reference: String) async throws(StoreError) -> Dispute?
    /// Ends the `dispute` operation.
    func recordDispute(_ lease: OperationLease, _ transition: DisputeTransition) async throws(StoreError)
    func recordForeignRefund(
        _ lease: OperationLease, of op: ClaimedOperation, _ refund: ForeignRefund, newRefundId: String, at time: String
    ) async throws(StoreError)
}

extension Database: OperationStore {
    public func recordedReference(paymentId: String) async throws(StoreError) -> String? {
        try await payment(id: paymentId)?.processorReference
    }

    public func record(_ write: RefundRecord, under lease: OperationLease, drivesRefund: Bool) async throws(StoreError) {
        try await recordRefund(lease, drivesRefund: drivesRefund, write)
    }
}
