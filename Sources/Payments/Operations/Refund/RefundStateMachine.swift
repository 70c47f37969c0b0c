import StripeModels

/// One claim of a refund: record the dispatch with `refund-requested`, create it at the processor with its
/// fixed key (`metadata[refund_id]`), settle unknown answers by finding it among the payment's refunds, and
/// after PROCESSED keep reading it back for a while, since the processor may still fail it.
public struct RefundStateMachine: OperationStateMachine {
    private enum State: Sendable, Equatable {
        case initial
        /// Reading back a refund the processor has: only its own status may end it.
        case reading(reference: String)
        case dispatching
        /// A create under a numbered key (an earlier key's saved 500) first lists the payment's refunds.
        case listingBeforeCreate
        case creating
        /// Finding the refund among the payment's refunds after an answer that may hide its execution.
        case finding(after: RefundDecision, reason: String)
        case ended
    }

    private struct Target: Sendable, Equatable {
        var refundId: String
        var refund: RefundContext
        var intentId: String
    }

    private let op: ClaimedOperation
    private let target: Target?
    private let now: @Sendable () -> String
    private var state = State.initial

    public init(_ op: ClaimedOperation, now: @escaping @Sendable () -> String) {
        self.op = op
        self.now = now
        if let refundId = op.refundId, let refund = op.refund, let intentId = op.payment.processorReference {
            target = Target(refundId: refundId, refund: refund, intentId: intentId)
        } else {
            target = nil
        }
    }

    public mutating func start() -> OperationAction {
        guard let target else { return ended(op.reschedule("refund operation \(op.id) without its refund or intent")) }
        if let reference = target.refund.processorReference {
            state = .reading(reference: reference)
            return .call(.retrieveRefund(id: reference))
        }
        guard op.dispatched else {
            state = .dispatching
            return .recordDispatch(.refundRequested(
                refundId: target.refundId, paymentId: op.paymentId, orderId: op.payment.orderId, amount: target.refund.amount,
                currency: op.payment.currency, reason: target.refund.reason?.rawValue, requestedAt: now()))
        }
        return afterDispatch(target)
    }

    public mutating func dispatchRecorded(stillWanted: Bool) -> OperationAction {
        guard state == .dispatching, let target else { return .unexpected("dispatchRecorded") }
        return stillWanted ? afterDispatch(target) : ended(.end(reason: "the refund is no longer wanted"))
    }

    public mutating func answered(_ answer: ProcessorAnswer) -> OperationAction {
        switch (state, answer) {
        case (.reading, .refund(let result)): readBack(result)
        case (.creating, .refund(let result)): created(result)
        case (.listingBeforeCreate, .refunds(let result)), (.finding, .refunds(let result)): listed(result)
        default: .unexpected("answer")
        }
    }

    public mutating func readBack(_ result: StripeResult<StripeRefund>) -> OperationAction {
        guard case .reading(let reference) = state else { return .unexpected("readBack") }
        guard case .success(let found) = result else { return decide(.retry(reason: "read-back of \(reference) failed")) }
        return decide(RefundDecision.state(of: found))
    }

    public mutating func created(_ result: StripeResult<StripeRefund>) -> OperationAction {
        guard state == .creating, let target else { return .unexpected("created") }
        let decision = RefundDecision.afterCall(result)
        switch decision {
        case .readBack(let reason), .readBackReplayed(let reason):
            state = .finding(after: decision, reason: reason)
            return .call(.listRefunds(intentId: target.intentId))
        default:
            return decide(decision)
        }
    }

    /// The payment's refunds, listed: this one's state when it is there. Not there after a saved 500 means
    /// nothing happened, and the key can only replay the 500, so the next claim creates under the next key.
    /// A list that failed proves nothing: the same key again.
    public mutating func listed(_ result: StripeResult<[StripeRefund]>) -> OperationAction {
        let after: RefundDecision?, reason: String
        switch state {
        case .finding(let decision, let why): (after, reason) = (decision, why)
        case .listingBeforeCreate: (after, reason) = (nil, "a new key")
        default: return .unexpected("listed")
        }
        guard case .success(let refunds) = result, let target else {
            return decide(.retry(reason: "read-back failed after: \(reason)"))
        }
        if let found = refunds.first(where: { $0.metadata["refund_id"] == target.refundId }) {
            return decide(RefundDecision.state(of: found))
        }
        switch after {
        case nil: return create(target)
        case .readBackReplayed: return decide(.nextKey(reason: reason))
        default: return decide(.retry(reason: reason))
        }
    }

    private mutating func afterDispatch(_ target: Target) -> OperationAction {
        guard op.keyAttempt > 0 else { return create(target) }
        state = .listingBeforeCreate
        return .call(.listRefunds(intentId: target.intentId))
    }

    private mutating func create(_ target: Target) -> OperationAction {
        state = .creating
        let params = CreateRefundParams(
            paymentIntent: target.intentId, amount: target.refund.amount, reason: target.refund.reason?.rawValue,
            metadata: ["refund_id": target.refundId, "payment_id": op.paymentId])
        return .call(.createRefund(params, idempotencyKey: StripeKeys.refund(op.idempotencyKey, attempt: op.keyAttempt)))
    }

    private mutating func decide(_ decision: RefundDecision) -> OperationAction {
        guard let target else { return .unexpected("decision") }
        switch decision {
        case .state(.processed, let reference, _):
            return record(processed(target, reference: reference))
        case .state(_, let reference, let failureReason):
            return record(failed(target, reference: reference, reason: failureReason, at: now()))
        case .refused(let code, let message):
            let time = now()
            var write = failed(target, reference: nil, reason: code, at: time)
            write.lastError = PaymentError(operation: "refund", code: code, message: message, at: time)
            return record(write)
        case .pending(let reference):
            return record(RefundRecord(
                refundId: target.refundId, status: target.refund.status, processorReference: reference, events: [],
                watchAgainAfter: RefundDecision.pendingPause(afterReads: op.attempts)))
        case .retry(let reason), .readBack(let reason), .readBackReplayed(let reason):
            return ended(op.reschedule(reason))
        case .nextKey(let reason):
            return ended(op.reschedule("saved 500, refund not at the processor: \(reason)", newKeyAttempt: op.keyAttempt + 1))
        }
    }

    /// Claims since the refund moved count its read-backs: the next pause, or none when done watching.
    private func processed(_ target: Target, reference: String) -> RefundRecord {
        let reads = target.refund.status == .processed ? op.attempts : 0
        let schedule = RefundDecision.watchSchedule
        return RefundRecord(
            refundId: target.refundId, status: .processed, processorReference: reference,
            events: [.refundProcessed(
                refundId: target.refundId, paymentId: op.paymentId, amount: target.refund.amount, currency: op.payment.currency,
                processedAt: now())],
            watchAgainAfter: reads < schedule.count ? schedule[reads] : nil)
    }

    private func failed(_ target: Target, reference: String?, reason: String?, at time: String) -> RefundRecord {
        RefundRecord(
            refundId: target.refundId, status: .failed, processorReference: reference, failureReason: reason,
            events: [.refundFailed(
                refundId: target.refundId, paymentId: op.paymentId, amount: target.refund.amount, currency: op.payment.currency,
                reason: reason, failedAt: time)])
    }

    private mutating func record(_ write: RefundRecord) -> OperationAction {
        ended(.settleRefund(write))
    }

    private mutating func ended(_ action: OperationAction) -> OperationAction {
        state = .ended
        return action
    }
}
