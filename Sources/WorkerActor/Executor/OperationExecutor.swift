import Foundation
import Logging
import Payments
import Store
import StripeGateway
import Support
import Telemetry

/// Runs one claimed operation to its next durable state: performs what the operation's state machine asks
/// (`Payments/Operations`) and feeds each result back, until an action ends the run. Every path ends by
/// recording an outcome or rescheduling: a lease is never simply dropped (only a database that cannot be
/// reached lets it expire). While it works, a heartbeat extends the lease, so every processor call, read-back
/// and wait in the rate limiter stays covered however long it takes; if a later claim took the lease over
/// (this one's generation is stale), the run is cancelled and its fenced writes would land nothing anyway.
struct OperationExecutor: Sendable {
    let store: any OperationStore
    let processor: any StripeAPI
    let lease: Duration
    let backoff: Backoff
    var searchLag: Duration = .seconds(60)
    var authentication = AuthenticationPolicy()
    var now: @Sendable () -> String = { Timestamp.now() }
    /// Where each committed outcome is told to the `Prefer: wait` requests of this process (nil: no API runs here).
    var outcomes: AsyncStream<OutcomeNotice>.Continuation?
    let logger: Logger

    /// `leaseAge`: how long the lease has already run (an authorization born leased at the intake's commit).
    /// Traced as the span `operation <kind>`, in the trace of the request that queued the operation.
    func run(_ op: ClaimedOperation, leaseAge: Duration = .zero) async {
        var logger = logger
        logger[metadataKey: "payment_id"] = "\(op.paymentId)"
        logger[metadataKey: "operation"] = "\(op.kind.rawValue)"
        await Traces.span("operation \(op.kind.rawValue)", kind: .consumer, parent: .continuing(op.traceparent)) { [logger] span in
            span.attributes["payment.id"] = op.paymentId
            span.attributes["operation.id"] = op.id
            span.attributes["operation.attempt"] = op.attempts
            span.attributes["operation.lease_generation"] = op.generation
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await drive(op, logger: logger) }
                group.addTask { await keepLease(op.lease, age: leaseAge, logger: logger) }
                // The first to end ends both: the run finished, or the lease was taken over.
                await group.next()
                group.cancelAll()
            }
        }
    }

    func drive(_ op: ClaimedOperation, logger: Logger) async {
        var machine = op.stateMachine(searchLag: searchLag, authentication: authentication, now: now)
        var action = machine.start()
        while true {
            do {
                guard let event = try await perform(action, for: op, logger: logger) else { return }
                action = machine.receive(event)
            } catch where error.code == .leaseLost {
                action = machine.receive(.leaseLost)
            } catch {
                return await interrupted(op, by: error, logger: logger)
            }
        }
    }

    /// Performs `action`; the event it comes to, or nil when the action ended the run.
    private func perform(_ action: OperationAction, for op: ClaimedOperation, logger: Logger) async throws(StoreError) -> OperationEvent? {
        if case .call(let call) = action { return .answered(await processor.perform(call)) }
        if let event = try await step(action, for: op) { return event }
        try await conclude(action, for: op, logger: logger)
        return nil
    }

    /// The store's part of a run that goes on: its answer is the machine's next event (nil: the action ends the run).
    private func step(_ action: OperationAction, for op: ClaimedOperation) async throws(StoreError) -> OperationEvent? {
        switch action {
        case .recordDispatch(let event):
            return .dispatchRecorded(stillWanted: try await store.recordDispatch(of: op, event: event))
        case .recordReference(let reference):
            return .referenceRecorded(try await store.recordProcessorReference(op.lease, paymentId: op.paymentId, reference: reference))
        case .readRecordedReference:
            return .recordedReferenceRead(try? await store.recordedReference(paymentId: op.paymentId))
        case .findRefund(let id):
            return .refundFound(try await store.refund(id: id))
        case .recordRefund(let write):
            try await store.record(write, under: op.lease, drivesRefund: false)
            publish(op, refundId: write.refundId)
            return .refundRecorded
        case .recordForeignRefund(let refund):
            try await store.recordForeignRefund(op.lease, of: op, refund, newRefundId: UUID().uuidString.lowercased(), at: now())
            publish(op)
            return .refundRecorded
        case .findDispute(let reference):
            return .disputeFound(try await store.dispute(reference: reference), freshId: UUID().uuidString.lowercased())
        default:
            return nil
        }
    }

    /// The last write of a run.
    private func conclude(_ action: OperationAction, for op: ClaimedOperation, logger: Logger) async throws(StoreError) {
        switch action {
        case .settleRefund(let write):
            try await store.record(write, under: op.lease, drivesRefund: true)
            publish(op, refundId: write.refundId)
            logger.info("refund recorded", metadata: ["status": "\(write.status.rawValue)"])
        case .finish(let change, let events, let resolution):
            let settled = try await store.finishOperation(
                op.lease, paymentId: op.paymentId, change: change, events: events, resolution: resolution, recheckAfter: nil)
            publish(op, payment: settled)
            log(finished: change, resolution: resolution, applied: settled != nil, logger: logger)
        case .awaitCustomer(let change, let events, let recheck):
            let recorded = try await store.finishOperation(
                op.lease, paymentId: op.paymentId, change: change, events: events, resolution: .queued, recheckAfter: recheck)
            if change.status != nil { publish(op, payment: recorded) }
            logger.info("waiting for the customer's authentication", metadata: ["recheck": "\(recheck)"])
        case .recordAndReadAgain, .recordDispute:
            try await concludeReadBack(action, for: op, logger: logger)
        case .reschedule(let plan):
            try await reschedule(op, plan, logger: logger)
            if plan.reason != nil { publish(op) }
        case .end(let reason):
            logger.notice("operation run ended without a write", metadata: ["reason": "\(reason)"])
        default:
            logger.error("an action that goes on was taken for the last one", metadata: ["action": "\(action)"])
        }
    }

    /// The last write of a read-back that records what the processor did on its own (a sync, a dispute read).
    private func concludeReadBack(_ action: OperationAction, for op: ClaimedOperation, logger: Logger) async throws(StoreError) {
        switch action {
        case .recordAndReadAgain(let change, let events):
            let recorded = try await store.finishOperation(
                op.lease, paymentId: op.paymentId, change: change, events: events, resolution: .queued, recheckAfter: .zero)
            publish(op, payment: recorded)
            logger.info("recorded; read again for its refunds", metadata: ["status": "\(change.status?.rawValue ?? "unchanged")"])
        case .recordDispute(let transition):
            try await store.recordDispute(op.lease, transition)
            publish(op)
            logger.info("dispute recorded", metadata: ["dispute": "\(transition.dispute.processorReference)", "status": "\(transition.dispute.status.rawValue)"])
        default:
            logger.error("not a read-back's last write", metadata: ["action": "\(action)"])
        }
    }

    /// After the write committed: a waiter answers with the payment it is told of, or reads the record.
    private func publish(_ op: ClaimedOperation, refundId: String? = nil, payment: Payment? = nil) {
        outcomes?.yield(OutcomeNotice(paymentId: op.paymentId, operationId: op.id, refundId: refundId ?? op.refundId, payment: payment))
    }

    private func reschedule(_ op: ClaimedOperation, _ plan: Reschedule, logger: Logger) async throws(StoreError) {
        let delay = backoff.delay(afterAttempt: op.attempts)
        if let reason = plan.reason {
            logger.notice("\(op.kind.rawValue) will be retried", metadata: ["attempt": "\(op.attempts)", "reason": "\(reason)", "delay": "\(delay)"])
        }
        try await store.reschedule(
            op.lease, after: delay, error: plan.reason, newCreateAttempt: plan.newCreateAttempt, newKeyAttempt: plan.newKeyAttempt,
            protocolFault: plan.protocolFault)
    }

    private func log(finished change: PaymentChange, resolution: OperationStatus, applied: Bool, logger: Logger) {
        if resolution == .parked {
            logger.error("operation parked", metadata: ["code": "\(change.lastError?.code ?? "")", "reason": "\(change.lastError?.message ?? "")"])
        } else {
            logger.info("operation settled", metadata: [
                "resolution": "\(resolution.rawValue)", "status": "\(change.status?.rawValue ?? "unchanged")", "applied": "\(applied)",
            ])
        }
    }

    /// Given back with a delay and the error on record, as any retry: the next attempt reads back whatever the
    /// processor did meanwhile. If the database cannot take even that (it is down), the lease expires and the
    /// operation is taken up again then.
    private func interrupted(_ op: ClaimedOperation, by error: StoreError, logger: Logger) async {
        logger.warning("operation interrupted by a database error", metadata: ["error": "\(error)"])
        try? await store.reschedule(
            op.lease, after: backoff.delay(afterAttempt: op.attempts), error: "database error: \(error)", newCreateAttempt: nil,
            newKeyAttempt: nil, protocolFault: false)
    }

    /// Extends the lease every third of its length; returns only when a later claim took it over. A database
    /// that cannot be reached is tried again at the next beat (the lease may expire meanwhile: fencing holds).
    /// The first beat comes a third of the lease after the lease began, `age` before the run.
    private func keepLease(_ claim: OperationLease, age: Duration, logger: Logger) async {
        var pause = max(.zero, lease / 3 - age)
        while !Task.isCancelled {
            do { try await Task.sleep(for: pause) } catch { return }
            pause = lease / 3
            if let held = try? await store.renewLease(claim, for: lease), !held {
                logger.warning("lease taken over by a later claim: cancelling this runner")
                return
            }
        }
    }
}
