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

    /// A payment with work in flight is compared again once that work has ended (it may bring both sides together:
    /// then nothing is reported). Then each safe heal runs and a last look says which findings it healed.
    func settle(_ subject: FindingSubject, _ found: [Finding], record: ReconciliationRecord, runId: String) async -> [ReconciliationItem] {
        var current = found
        let paymentIds = Set(found.compactMap(\.paymentId))
        if paymentIds.contains(where: { record.context(paymentId: $0)?.hasQueuedWork == true }) {
            for paymentId in paymentIds { await awaitQuiet(paymentId) }
            current = await look(subject) ?? found
        }
        let heals = Resolution.heals(current)
        guard !heals.isEmpty else { return Resolution.items(found: current, afterHeal: nil) }
        for heal in heals { await perform(heal, runId: runId) }
        let after = await look(subject) ?? current
        return Resolution.items(found: current, afterHeal: after)
    }

    /// The subject's findings now: the processor's object read by id against the record read now; nil when the
    /// processor or the database could not say.
    func look(_ subject: FindingSubject) async -> [Finding]? {
        let object: ProcessorObject?
        switch await fetch(subject) {
        case .found(let found): object = found
        case .missing: object = nil
        case .unreadable: return nil
        }
        let query = Self.query(for: subject, object)
        guard let record = try? await database.reconciliationRecord(query) else { return nil }
        return ReconciliationMatcher.findings(of: subject, object: object, record)
    }

    static func query(for subject: FindingSubject, _ object: ProcessorObject?) -> RecordQuery {
        switch object {
        case .intent(let intent): RecordQuery(paymentIds: intent.metadata["payment_id"].map { [$0] } ?? [], references: [intent.id], since: nil)
        case .refund(let refund): RecordQuery(paymentIds: [], references: [refund.id, refund.paymentIntent], since: nil)
        case .dispute(let dispute): RecordQuery(paymentIds: [], references: dispute.paymentIntent.map { [$0] } ?? [], since: nil)
        case nil: RecordQuery(paymentIds: [], references: [subject.reference], since: nil)
        }
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
                _ = try await database.queueSync(paymentId: paymentId, key: "\(paymentId):sync:reconcile:\(runId)")
                await awaitQuiet(paymentId)
            case .readDispute(let paymentId, let reference):
                _ = try await database.queueDisputeRead(
                    paymentId: paymentId, disputeReference: reference, key: "\(paymentId):dispute:\(reference):reconcile:\(runId)")
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
