import Payments
import Store
import StripeGateway
import StripeModels

/// One subject's way from found to reported: live work ends first, then the safe heals run, then a last look.
extension Reconciler {
    /// What a read of one object by id gave.
    enum Fetched: Sendable {
        case found(ProcessorObject)
        /// 404: the processor does not know it.
        case missing
        case unreadable(String)
    }

    /// What one look at a subject found, and whether its payments have work in flight.
    struct Look: Sendable {
        var findings: [Finding]
        var busy: Bool
    }

    /// The lists were read before the record, so a finding is first looked at again, the record read before the
    /// object (the processor is never behind the record: a disagreement then is the record lagging). A payment with
    /// work in flight is looked at once more after it ended: it may bring both sides together, and then nothing is
    /// reported. Then each safe heal runs and a last look says which findings it healed.
    func settle(_ subject: FindingSubject, _ found: [Finding], runId: String) async -> [ReconciliationItem] {
        let paymentIds = Set(found.compactMap(\.paymentId))
        guard var now = await look(subject, paymentIds: paymentIds) else { return Resolution.items(found: found, afterHeal: nil) }
        if now.busy, !now.findings.isEmpty {
            for paymentId in paymentIds { await awaitQuiet(paymentId) }
            now = await look(subject, paymentIds: paymentIds) ?? now
        }
        let heals = Resolution.heals(now.findings)
        guard !heals.isEmpty else { return Resolution.items(found: now.findings, afterHeal: nil) }
        for heal in heals { await perform(heal, runId: runId) }
        let after = await look(subject, paymentIds: paymentIds)?.findings ?? now.findings
        return Resolution.items(found: now.findings, afterHeal: after)
    }

    /// The subject's findings now: the record (the payments found, and whatever records the reference), then the
    /// processor's object read by id; nil when the database or the processor could not say.
    func look(_ subject: FindingSubject, paymentIds: Set<String>) async -> Look? {
        let query = RecordQuery(paymentIds: Array(paymentIds), references: [subject.reference], since: nil)
        guard let record = try? await database.reconciliationRecord(query) else { return nil }
        let object: ProcessorObject?
        switch await fetch(subject) {
        case .found(let found): object = found
        case .missing: object = nil
        case .unreadable: return nil
        }
        let busy = paymentIds.contains { record.context(paymentId: $0)?.hasQueuedWork == true }
        return Look(findings: ReconciliationMatcher.findings(of: subject, object: object, record), busy: busy)
    }

    func fetch(_ subject: FindingSubject) async -> Fetched {
        let walk = configuration.walk
        let processor = processor
        switch subject {
        case .intent(let id): return Self.fetched(await walk.read { await processor.retrievePaymentIntent(id: id) }, ProcessorObject.intent)
        case .refund(let id): return Self.fetched(await walk.read { await processor.retrieveRefund(id: id) }, ProcessorObject.refund)
        case .dispute(let id): return Self.fetched(await walk.read { await processor.retrieveDispute(id: id) }, ProcessorObject.dispute)
        }
    }

    private static func fetched<Value>(_ answer: StripeResult<Value>, _ wrap: (Value) -> ProcessorObject) -> Fetched {
        switch answer {
        case .success(let value): .found(wrap(value))
        case .rejected(status: 404, _): .missing
        default: .unreadable(failure(answer))
        }
    }

    /// Queues the read-back (and waits for it), or cancels a second intent's hold. A heal that fails is only
    /// logged: the last look reports what still disagrees.
    func perform(_ heal: Heal, runId: String) async {
        do throws(StoreError) {
            switch heal {
            case .none:
                return
            case .sync(let paymentId):
                _ = try await database.queueSync(
                    paymentId: paymentId, key: "\(paymentId):sync:reconcile:\(runId)", by: (.reconciliation, .reconcile))
                await awaitQuiet(paymentId)
            case .readDispute(let paymentId, let reference):
                _ = try await database.queueDisputeRead(
                    paymentId: paymentId, disputeReference: reference, key: "\(paymentId):dispute:\(reference):reconcile:\(runId)",
                    by: (.reconciliation, .reconcile))
                await awaitQuiet(paymentId)
            case .cancelIntent(let id, let key):
                let answer = await processor.cancelPaymentIntent(id: id, reason: "duplicate", idempotencyKey: key)
                if case .success = answer { return }
                logger.warning("reconciliation: cancelling a second intent failed", metadata: ["intent": "\(id)", "answer": "\(Self.failure(answer))"])
            }
        } catch {
            logger.warning("reconciliation: a heal could not be queued", metadata: ["heal": "\(heal)", "error": "\(error)"])
        }
    }

    /// Until the payment has no queued operation (its own work, or the read-back a heal queued), at most
    /// `settleTimeout`.
    func awaitQuiet(_ paymentId: String) async {
        let deadline = ContinuousClock.now + configuration.settleTimeout
        while ContinuousClock.now < deadline {
            guard let queued = try? await database.queuedOperations(paymentId: paymentId), queued > 0 else { return }
            try? await Task.sleep(for: configuration.pollInterval)
        }
    }
}
