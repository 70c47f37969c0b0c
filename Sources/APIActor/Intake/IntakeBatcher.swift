import Logging
import Payments
import ServiceLifecycle
import Store

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

    /// Commits `batch` and answers each member; the slots lent by the worker and not taken up by a new
    /// authorization are given back after.
    private func flush(_ batch: [Pending]) async {
        var items = batch.map(\.item)
        let lent = await lend(&items)
        var bornLeased = 0
        for (entry, result) in zip(batch, await record(items)) {
            if case .success(.created(_, let authorization)) = result, authorization.claimed != nil { bornLeased += 1 }
            entry.continuation.resume(returning: result)
        }
        if lent > bornLeased { await localWorker?.unreserve(lent - bornLeased) }
    }

    /// Gives as many commands as the worker here has free slots for the lease their authorizations are born with.
    private func lend(_ items: inout [IntakeCommand]) async -> Int {
        guard let localWorker, let (lease, slots) = await localWorker.reserve(upTo: items.count) else { return 0 }
        for index in items.indices.prefix(slots) { items[index].lease = lease }
        return slots
    }

    private func record(_ items: [IntakeCommand]) async -> [Result<IntakeOutcome, StoreError>] {
        do {
            let outcomes = try await store.recordRequested(batch: items)
            var results: [Result<IntakeOutcome, StoreError>] = []
            for (item, outcome) in zip(items, outcomes) {
                // Nil: another transaction took the cart meanwhile; decided alone, now that it has committed.
                if let outcome { results.append(.success(outcome)) } else { results.append(await alone(item)) }
            }
            return results
        } catch where (error.isCausedByData || error.code == .serializationFailure) && items.count > 1 {
            // One member's row failed the transaction for all (nothing was written), or it deadlocked with another
            // on a shared key or cart: each member is decided alone, once, so only the guilty one gets the error
            // and the others commit as if alone.
            logger.warning("a group commit failed; deciding its commands one by one", metadata: [
                "sqlstate": "\(error.sqlState ?? "")", "commands": "\(items.count)",
            ])
            var results: [Result<IntakeOutcome, StoreError>] = []
            for item in items { results.append(await alone(item)) }
            return results
        } catch {
            return items.map { _ in .failure(error) }
        }
    }

    private func alone(_ item: IntakeCommand) async -> Result<IntakeOutcome, StoreError> {
        do throws(StoreError) {
            return .success(try await store.recordRequested(item))
        } catch {
            return .failure(error)
        }
    }
}
