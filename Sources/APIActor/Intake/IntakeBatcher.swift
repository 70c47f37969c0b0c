import Logging
import Payments
import ServiceLifecycle
import Store
import Telemetry

/// The intake actor: every AuthorizePayment command, keyed or not, is group-committed here. Concurrent
/// commands share one transaction and one commit (those without a key one statement), and each is answered
/// only after the commit that holds it. An idle flusher takes a lone command at once
/// (no added latency when quiet); under load, commands that arrive while flushes are in flight gather into
/// the next batch, so commits per second stay near the database's limit while commands per commit grow.
public actor IntakeBatcher: Service {
    private struct Pending {
        let item: IntakeCommand
        let continuation: CheckedContinuation<Result<IntakeOutcome, StoreError>, Never>
    }

    private let store: any IntakeStore
    /// The worker in this process (nil: none runs here), whose free slots new authorizations are born leased to.
    private let localWorker: (any LocalWorkerSlots)?
    private let maxBatch: Int
    private let flushers: Int
    private let logger: Logger
    private var pending: [Pending] = []
    private var idle: [CheckedContinuation<Void, Never>] = []
    private var stopping = false
    /// Flush loops not yet ended: once stopped and none is left, a command is refused at once, never left waiting.
    private var liveFlushers = 0

    /// `flushers` bounds the batches in flight at once (each holds one database connection).
    public init(store: any IntakeStore, localWorker: (any LocalWorkerSlots)? = nil, flushers: Int = 4, maxBatch: Int = 256, logger: Logger) {
        self.store = store
        self.localWorker = localWorker
        self.flushers = max(1, flushers)
        self.maxBatch = max(1, maxBatch)
        self.logger = logger
    }

    /// Commands waiting for a flusher (for the actor's tests).
    var waiting: Int { pending.count }

    func submit(_ item: IntakeCommand) async throws(StoreError) -> IntakeOutcome {
        guard !stopping || liveFlushers > 0 else { throw StoreError(.unavailable, "the intake has stopped") }
        let result = await withCheckedContinuation { continuation in
            pending.append(Pending(item: item, continuation: continuation))
            idle.popLast()?.resume()
        }
        return try result.get()
    }

    public func run() async throws {
        liveFlushers = flushers
        await withDiscardingTaskGroup { group in
            for _ in 0..<flushers {
                group.addTask { await self.flushLoop() }
            }
            try? await gracefulShutdown()
            self.stop()
        }
    }

    private func stop() {
        stopping = true
        idle.forEach { $0.resume() }
        idle.removeAll()
    }

    private func flushLoop() async {
        while let batch = await nextBatch() {
            await flush(batch)
        }
    }

    /// Waits for work; takes up to `maxBatch` commands, one per cart (a second command for a cart waits
    /// for the next batch, so the statement decides each cart once). Nil once stopped and drained.
    private func nextBatch() async -> [Pending]? {
        while pending.isEmpty {
            if stopping {
                liveFlushers -= 1
                return nil
            }
            await withCheckedContinuation { idle.append($0) }
        }
        var batch: [Pending] = []
        var carts = Set<String>()
        var rest: [Pending] = []
        for entry in pending {
            if batch.count < maxBatch, carts.insert(entry.item.command.cartId).inserted {
                batch.append(entry)
            } else {
                rest.append(entry)
            }
        }
        pending = rest
        if !pending.isEmpty { idle.popLast()?.resume() }
        return batch
    }

    /// Commits `batch` and answers each member as soon as its outcome is known. The slots the worker lent and no
    /// new authorization took up are given back right after the group's commit; a member decided alone afterwards
    /// (its cart raced, or the group failed) goes without a lease, to be claimed like any queued operation.
    ///
    /// Traced as the span `intake batch`, a trace of its own linked to each member's request.
    private func flush(_ batch: [Pending]) async {
        var items = batch.map(\.item)
        let lent = await lend(&items)
        await Traces.span("intake batch", parent: .topLevel) { span in
            span.attributes["intake.batch_size"] = items.count
            for item in items where item.traceparent != nil {
                span.addLink(SpanLink(context: .continuing(item.traceparent), attributes: [:]))
            }
            do throws(StoreError) {
                let outcomes = try await store.recordRequested(batch: items)
                await answer(batch, outcomes, lent: lent)
            } catch {
                await giveBack(lent)
                await failed(batch, error)
            }
        }
    }

    private func answer(_ batch: [Pending], _ outcomes: [IntakeOutcome?], lent: Int) async {
        var bornLeased = 0
        var raced: [Pending] = []
        for (entry, outcome) in zip(batch, outcomes) {
            // Nil: another transaction took the cart meanwhile; decided alone, now that it has committed.
            guard let outcome else { raced.append(entry); continue }
            if case .created(_, let authorization) = outcome, authorization.claimed != nil { bornLeased += 1 }
            entry.continuation.resume(returning: .success(outcome))
        }
        await giveBack(lent - bornLeased)
        for entry in raced { await decideAlone(entry) }
    }

    /// One member's row failed the transaction for all (nothing was written), or it deadlocked with another on a
    /// shared key or cart: each member is decided alone, once, so only the guilty one gets the error and the
    /// others commit as if alone. Any other failure is every member's.
    private func failed(_ batch: [Pending], _ error: StoreError) async {
        guard (error.isCausedByData || error.code == .serializationFailure) && batch.count > 1 else {
            batch.forEach { $0.continuation.resume(returning: .failure(error)) }
            return
        }
        logger.warning("a group commit failed; deciding its commands one by one", metadata: [
            "sqlstate": "\(error.sqlState ?? "")", "commands": "\(batch.count)",
        ])
        for entry in batch { await decideAlone(entry) }
    }

    /// Gives as many commands as the worker here has free slots for the lease their authorizations are born with.
    private func lend(_ items: inout [IntakeCommand]) async -> Int {
        guard let localWorker, let (lease, slots) = await localWorker.reserve(upTo: items.count) else { return 0 }
        for index in items.indices.prefix(slots) { items[index].lease = lease }
        return slots
    }

    private func giveBack(_ slots: Int) async {
        if slots > 0 { await localWorker?.unreserve(slots) }
    }

    /// `entry.item` as submitted: without a lease.
    private func decideAlone(_ entry: Pending) async {
        entry.continuation.resume(returning: await alone(entry.item))
    }

    private func alone(_ item: IntakeCommand) async -> Result<IntakeOutcome, StoreError> {
        do throws(StoreError) {
            return .success(try await store.recordRequested(item))
        } catch {
            return .failure(error)
        }
    }
}
