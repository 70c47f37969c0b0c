import Foundation
import Logging
import Payments
import Store
import StripeGateway
import StripeModels

/// How a run waits, and how it walks the processor's lists.
public struct ReconcilerConfiguration: Sendable {
    /// How long a payment's live work (or a heal's read-back) may take before the payment is compared anyway.
    public var settleTimeout: Duration
    public var pollInterval: Duration
    public var walk: ListWalk

    public init(settleTimeout: Duration = .seconds(30), pollInterval: Duration = .milliseconds(200), walk: ListWalk = ListWalk()) {
        self.settleTimeout = settleTimeout
        self.pollInterval = pollInterval
        self.walk = walk
    }
}

/// One reconciliation run: under the advisory lock, it lists the processor's intents, refunds and disputes created
/// since the window's start, matches them to the record (`ReconciliationMatcher`), lets live work end before it
/// believes a disagreement, heals what is safe and records the run with its items.
public struct Reconciler: Sendable {
    public typealias Processor = StripeAPI & StripeListing

    let database: Database
    let processor: any Processor
    let configuration: ReconcilerConfiguration
    let logger: Logger

    public init(database: Database, processor: any Processor, configuration: ReconcilerConfiguration = ReconcilerConfiguration(), logger: Logger) {
        self.database = database
        self.processor = processor
        self.configuration = configuration
        self.logger = logger
    }

    /// A run over what was created at the processor since `since` (unix seconds). Throws when it cannot complete;
    /// a run that started is then recorded `incomplete` with the reason.
    public func run(since: Int, trigger: ReconciliationRunSummary.Trigger) async throws(ReconciliationError) -> ReconciliationReport {
        let lock = try await stored { () async throws(StoreError) in try await database.tryAdvisoryLock(Database.reconciliationLockKey) }
        guard let lock else { throw .lockHeld }
        let result = await runHoldingLock(since: since, trigger: trigger)
        await lock.release()
        return try result.get()
    }

    /// Under the lock (taken here), a scheduled run when one is due: nil when another instance ran one since.
    /// `due` decides from the runs recorded so far and gives the window's start.
    public func runIfDue(_ due: @Sendable (ReconciliationHistory) -> Int?) async throws(ReconciliationError) -> ReconciliationReport? {
        let lock = try await stored { () async throws(StoreError) in try await database.tryAdvisoryLock(Database.reconciliationLockKey) }
        guard let lock else { return nil }
        let since: Int?
        do throws(ReconciliationError) {
            since = due(try await stored { () async throws(StoreError) in try await database.reconciliationHistory() })
        } catch {
            await lock.release()
            throw error
        }
        guard let since else {
            await lock.release()
            return nil
        }
        let result = await runHoldingLock(since: since, trigger: .scheduled)
        await lock.release()
        return try result.get()
    }

    private func runHoldingLock(since: Int, trigger: ReconciliationRunSummary.Trigger) async -> Result<ReconciliationReport, ReconciliationError> {
        do throws(ReconciliationError) {
            return .success(try await recordedRun(since: since, trigger: trigger))
        } catch {
            return .failure(error)
        }
    }

    /// The run, recorded: its start, then its items and its end (`incomplete` with the reason when it throws).
    private func recordedRun(since: Int, trigger: ReconciliationRunSummary.Trigger) async throws(ReconciliationError) -> ReconciliationReport {
        let (runId, startedAt) = try await stored { () async throws(StoreError) in try await database.startReconciliationRun(since: since, trigger: trigger) }
        logger.info("reconciliation started", metadata: ["run_id": "\(runId)", "since": "\(since)"])
        do throws(ReconciliationError) {
            let items = try await compare(since: since, runId: runId)
            try await stored { () async throws(StoreError) in try await database.finishReconciliationRun(id: runId, items: items, error: nil) }
            let report = ReconciliationReport(runId: runId, since: Self.rfc3339(since), startedAt: startedAt, items: items)
            logger.info("reconciliation finished", metadata: ["run_id": "\(runId)", "summary": "\(report.summary)"])
            return report
        } catch {
            try? await database.finishReconciliationRun(id: runId, items: [], error: error.description)
            logger.error("reconciliation incomplete", metadata: ["run_id": "\(runId)", "error": "\(error)"])
            throw error
        }
    }

    /// Lists, loads the record, confirms what the lists did not show, then settles each subject in turn.
    func compare(since: Int, runId: String) async throws(ReconciliationError) -> [ReconciliationItem] {
        var snapshot = try await list(since: since)
        let query = RecordQuery(
            paymentIds: snapshot.intents.compactMap { $0.metadata["payment_id"] },
            references: snapshot.intents.map(\.id) + snapshot.refunds.map(\.paymentIntent) + snapshot.disputes.compactMap(\.paymentIntent),
            since: since)
        let record = try await stored { () async throws(StoreError) in try await database.reconciliationRecord(query) }
        let missing = try await confirmUnlisted(&snapshot, record)
        var items: [ReconciliationItem] = []
        for (subject, found) in Self.bySubject(ReconciliationMatcher.findings(snapshot, record) + missing) {
            items += await settle(subject, found, runId: runId)
        }
        return items
    }

    private func list(since: Int) async throws(ReconciliationError) -> ProcessorSnapshot {
        let walk = configuration.walk
        let processor = processor
        let intents = try walked("payment intents", await walk.all(id: { $0.id }) { after, limit in
            await processor.listPaymentIntents(createdSince: since, startingAfter: after, limit: limit)
        })
        let refunds = try walked("refunds", await walk.all(id: { $0.id }) { after, limit in
            await processor.listRefunds(createdSince: since, startingAfter: after, limit: limit)
        })
        let disputes = try walked("disputes", await walk.all(id: { $0.id }) { after, limit in
            await processor.listDisputes(createdSince: since, startingAfter: after, limit: limit)
        })
        return ProcessorSnapshot(intents: intents, refunds: refunds, disputes: disputes)
    }

    private func walked<Element>(_ what: String, _ answer: StripeResult<[Element]>) throws(ReconciliationError) -> [Element] {
        guard case .success(let objects) = answer else { throw ReconciliationError(.processor, "listing \(what): \(Self.failure(answer))") }
        return objects
    }

    /// Each reference recorded in the window that the lists did not show is retrieved: found, it joins the
    /// snapshot (created before the window at the processor's clock); a 404 is `missing_at_processor`.
    private func confirmUnlisted(_ snapshot: inout ProcessorSnapshot, _ record: ReconciliationRecord) async throws(ReconciliationError) -> [Finding] {
        var missing: [Finding] = []
        for subject in ReconciliationMatcher.unlisted(snapshot, record) {
            switch await fetch(subject) {
            case .found(.intent(let intent)): snapshot.intents.append(intent)
            case .found(.refund(let refund)): snapshot.refunds.append(refund)
            case .found(.dispute(let dispute)): snapshot.disputes.append(dispute)
            case .missing: missing += ReconciliationMatcher.findings(of: subject, object: nil, record)
            case .unreadable(let reason): throw ReconciliationError(.processor, "retrieving \(subject.reference): \(reason)")
            }
        }
        return missing
    }

    /// The findings grouped by subject, in the order first found.
    static func bySubject(_ findings: [Finding]) -> [(FindingSubject, [Finding])] {
        var order: [FindingSubject] = []
        var groups: [FindingSubject: [Finding]] = [:]
        for finding in findings {
            if groups[finding.subject] == nil { order.append(finding.subject) }
            groups[finding.subject, default: []].append(finding)
        }
        return order.map { ($0, groups[$0] ?? []) }
    }

    static func rfc3339(_ seconds: Int) -> String {
        Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(.iso8601)
    }

    static func failure<Value>(_ answer: StripeResult<Value>) -> String {
        switch answer {
        case .success: "no failure"
        case .declined(let error, _), .rejected(_, let error): "refused: \(error.code ?? error.type) \(error.message ?? "")"
        case .retryable(let failure), .unknown(let failure): failure.description
        }
    }
}
