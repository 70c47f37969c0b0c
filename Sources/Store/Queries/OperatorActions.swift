import Foundation
import Payments
import Support

extension Database {
    /// `POST /operations/{id}/retry`, decided under the payment's row lock by `RetryDecision`.
    /// After a lost COMMIT reply, the run again answers for what the first run committed (its audit row),
    /// as the first run would have.
    public func retryOperation(id: Int, by attribution: Attribution) async throws(StoreError) -> LifecycleOutcome {
        let recognised = Rerun<(LifecycleOutcome, Bool)>.whenRecognised { tx throws(StoreError) in
            guard let paymentId = try tx.paymentId(ofOperation: id) else { return nil }
            return try tx.recognised(.retry, by: attribution, paymentId: paymentId, since: id).map { ($0, false) }
        }
        let (outcome, voidedNow) = try await transaction(rerun: recognised) { tx throws(StoreError) -> (LifecycleOutcome, Bool) in
            guard let paymentId = try tx.paymentId(ofOperation: id), let payment = try tx.payment(id: paymentId, lock: true)
            else { return (.notFound, false) }
            let operations = try tx.operations(of: paymentId)
            guard let operation = operations.first(where: { $0.id == id }) else { return (.notFound, false) }
            let decision = RetryDecision.decide(operation, payment: payment, operations: operations, now: Timestamp.now())
            return try tx.carryOut(decision, of: operation, for: payment, by: attribution)
        }
        if voidedNow { PaymentTransitions.record(.voided) }
        return outcome
    }

    /// `POST /payments/{id}/sync`: a read-back of the payment's intent and refunds, queued now (or the one that
    /// already waits), with its audit row.
    public func requestSync(paymentId: String, by attribution: Attribution) async throws(StoreError) -> LifecycleOutcome {
        let recognised = Rerun<LifecycleOutcome>.whenRecognised { tx throws(StoreError) in
            try tx.recognised(.sync, by: attribution, paymentId: paymentId)
        }
        return try await transaction(rerun: recognised) { tx throws(StoreError) in
            guard let payment = try tx.payment(id: paymentId) else { return .notFound }
            guard payment.processorReference != nil else {
                return .conflict("payment \(paymentId) has no intent at the processor yet: there is nothing to read back")
            }
            return .queued(payment, operationId: try tx.readAgain(.sync, of: payment, asked: "operator", by: attribution, as: .sync))
        }
    }
}

extension Transaction {
    /// What an operator's request committed before its COMMIT's reply was lost: its audit row (same action,
    /// actor and request id), and the newest operation it queued or released for the payment (`since`, the
    /// retried one, or newer), which the answer names. Nil when the first run committed nothing, or the request
    /// has no id to recognise it by.
    fileprivate func recognised(
        _ action: AuditAction, by attribution: Attribution, paymentId: String, since operationId: Int = 0
    ) throws(StoreError) -> LifecycleOutcome? {
        guard let requestId = attribution.requestId else { return nil }
        let audited = try execute(
            """
            SELECT status_before, status_after FROM audit_log WHERE payment_id = \(paymentId) AND action = \(action)
              AND actor = \(attribution.actor) AND request_id = \(requestId) LIMIT 1
            """).rows.first
        guard let audited else { return nil }
        // A retried void of an authorization never sent voided the payment at once: answered as done (200).
        if try audited.string("status_after") == "VOIDED", try audited.string("status_before") != "VOIDED" {
            return try payment(id: paymentId).map { .done($0) }
        }
        let newest = try execute(
            """
            SELECT id FROM operations WHERE payment_id = \(paymentId)::uuid AND id >= \(operationId)::bigint
              AND (id = \(operationId)::bigint OR actor = \(attribution.actor)) AND (\(action) <> 'sync' OR kind = 'sync')
            ORDER BY id DESC LIMIT 1
            """).rows.first
        guard let operation = try newest?.requiredInt("id"), let payment = try payment(id: paymentId) else { return nil }
        return .queued(payment, operationId: operation)
    }

    fileprivate func paymentId(ofOperation id: Int) throws(StoreError) -> String? {
        try execute("SELECT payment_id FROM operations WHERE id = \(id)").rows.first?.string("payment_id")
    }

    fileprivate func carryOut(
        _ decision: RetryDecision, of operation: OperationSummary, for payment: Payment, by attribution: Attribution
    ) throws(StoreError) -> (LifecycleOutcome, Bool) {
        switch decision {
        case .conflict(let reason):
            return (.conflict(reason), false)
        case .asItStands(let op):
            return (.queued(payment, operationId: op.id), false)
        case .release(let op):
            try appendAudit(AuditEntry(
                attribution, .retry, subject: payment.paymentId, statusBefore: payment.status.rawValue, statusAfter: payment.status.rawValue))
            return (.queued(payment, operationId: try release(op)), false)
        case .lifecycle(let lifecycle):
            return try carryOut(lifecycle, for: payment, by: attribution, auditedAs: .retry)
        case .readAgain(let kind):
            let id = try readAgain(kind, of: payment, asked: "retry:\(operation.id)", by: attribution, as: .retry, like: operation.id)
            return (.queued(payment, operationId: id), false)
        }
    }

    /// A new read-back of `kind` under a key of its own, attributed; or the one that already waits. `like`: the
    /// operation whose dispute a dispute read reads again.
    fileprivate func readAgain(
        _ kind: OperationKind, of payment: Payment, asked: String, by attribution: Attribution, as action: AuditAction, like: Int? = nil
    ) throws(StoreError) -> Int {
        let key = "\(payment.paymentId):\(kind.rawValue):\(asked):\(UUID().uuidString.lowercased())"
        let queued: Int?
        if kind == .dispute, let like {
            let reference = try execute("SELECT dispute_reference FROM operations WHERE id = \(like)")[0].requiredString("dispute_reference")
            queued = try queueDisputeRead(paymentId: payment.paymentId, disputeReference: reference, key: key)
        } else {
            queued = try queueSync(paymentId: payment.paymentId, key: key)
        }
        if let queued {
            try attribute(readBack: queued, of: payment.paymentId, to: attribution, as: action)
            return queued
        }
        guard let waiting = try waitingReadBack(kind, of: payment.paymentId) else {
            throw StoreError(.unexpectedResult, "a \(kind.rawValue) read-back was neither queued nor found waiting")
        }
        return waiting
    }
}
