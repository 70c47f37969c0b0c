import Foundation
import Logging
import Payments
import Store
import Support
@testable import WorkerActor

/// One step of a schedule. Indices (`pick`, `payment`) are taken modulo what exists when the step runs, so a
/// schedule is fixed by its seed alone.
enum Step: Sendable, CustomStringConvertible {
    /// A new payment; `declines`: its card is declined at the confirmation.
    case authorize(amount: Int, capture: CaptureMode, declines: Bool)
    /// `quarters` of the amount authorized (nil: all of it; 5: more than authorized).
    case capture(payment: Int, quarters: Int?)
    case void(payment: Int)
    /// `quarters` of the amount captured (nil: what is left).
    case refund(payment: Int, quarters: Int?)
    /// A due operation is claimed and run through the executor.
    case run(pick: Int)
    /// A due operation is claimed, its runner stalls in its `stallAt`-th processor call, its lease expires, a
    /// second claim runs it, then the stalled runner goes on (`executeFirst`: its call ran before it stalled).
    case staleRun(pick: Int, stallAt: Int, executeFirst: Bool)
    /// A webhook the processor sent is delivered (`again`: it stays in the inbox, to be delivered again).
    case deliver(pick: Int, again: Bool)
    case wait(seconds: Int)
    case settleRefund(pick: Int, fails: Bool)
    case failRefund(pick: Int)

    var description: String {
        switch self {
        case .authorize(let amount, let capture, let declines): "authorize \(amount) \(capture.rawValue)\(declines ? " (declining card)" : "")"
        case .capture(let payment, let quarters): "capture payment #\(payment) \(quarters.map { "\($0)/4" } ?? "all")"
        case .void(let payment): "void payment #\(payment)"
        case .refund(let payment, let quarters): "refund payment #\(payment) \(quarters.map { "\($0)/4" } ?? "the rest")"
        case .run(let pick): "run due operation #\(pick)"
        case .staleRun(let pick, let stallAt, let executeFirst):
            "stale run of due operation #\(pick): stalls at call \(stallAt) (\(executeFirst ? "executed, answer late" : "sent late")), a second claim runs it"
        case .deliver(let pick, let again): "deliver webhook #\(pick)\(again ? " (delivered again later)" : "")"
        case .wait(let seconds): "wait \(seconds) s"
        case .settleRefund(let pick, let fails): "processor settles pending refund #\(pick) \(fails ? "failed" : "succeeded")"
        case .failRefund(let pick): "processor fails succeeded refund #\(pick)"
        }
    }
}

/// A seeded schedule: its steps, then a drain until the queue is quiet.
struct Schedule: Sendable {
    let seed: UInt64
    let steps: [Step]

    init(seed: UInt64) {
        self.seed = seed
        var rng = SeededGenerator(seed: seed)
        var steps = [Self.authorize(&rng)]
        for _ in 0..<rng.int(8...40) { steps.append(Self.step(&rng)) }
        self.steps = steps
    }

    private static func step(_ rng: inout SeededGenerator) -> Step {
        let roll = rng.int(0...99)
        if roll < 10 { return authorize(&rng) }
        if roll < 40 { return request(&rng, roll: roll) }
        if roll < 75 { return roll < 66 ? .run(pick: rng.pick()) : .staleRun(pick: rng.pick(), stallAt: rng.int(1...3), executeFirst: rng.chance(0.5)) }
        return world(&rng, roll: roll)
    }

    private static func authorize(_ rng: inout SeededGenerator) -> Step {
        .authorize(amount: rng.int(1...50) * 100, capture: rng.chance(0.6) ? .manual : .automatic, declines: rng.chance(0.15))
    }

    private static func request(_ rng: inout SeededGenerator, roll: Int) -> Step {
        let payment = rng.pick()
        if roll < 22 { return .capture(payment: payment, quarters: rng.chance(0.5) ? nil : rng.int(1...5)) }
        if roll < 30 { return .void(payment: payment) }
        return .refund(payment: payment, quarters: rng.chance(0.3) ? nil : rng.int(1...4))
    }

    private static func world(_ rng: inout SeededGenerator, roll: Int) -> Step {
        if roll < 90 { return .deliver(pick: rng.pick(), again: rng.chance(0.3)) }
        if roll < 95 { return .wait(seconds: rng.int(1...40)) }
        return rng.chance(0.6) ? .settleRefund(pick: rng.pick(), fails: rng.chance(0.3)) : .failRefund(pick: rng.pick())
    }
}

/// What running a schedule came to: the invariants it broke, and what happened (traced runs only).
struct ScheduleOutcome: Sendable {
    var violations: [String]
    var trace: [String]
    var drained: Bool
    var swallowedDuplicates: Int
}

/// Runs a schedule against the real executor, the model store and the model processor.
struct ScheduleRun {
    /// How long the executor assumes the processor's search may lag (the model's lag is at most this).
    static let searchLag = Duration.seconds(5)

    let schedule: Schedule
    let store: ModelStore
    let processor: ModelProcessor
    let executor: OperationExecutor
    let logger = Logger(label: "schedule") { _ in SwiftLogNoOpLogHandler() }
    private var rng: SeededGenerator
    private var inbox: [WebhookNotice] = []
    private var paymentIds: [String] = []
    private let log: TraceLog?

    init(_ schedule: Schedule, tracing: Bool = false, acceptAnyTransition: Bool = false) {
        self.schedule = schedule
        log = tracing ? TraceLog() : nil
        rng = SeededGenerator(seed: schedule.seed ^ 0xD1A1_D1A1)
        let lag = Duration.seconds(rng.int(0...5))
        store = ModelStore(log: log, acceptAnyTransition: acceptAnyTransition)
        processor = ModelProcessor(seed: schedule.seed, searchLag: lag, faults: ProcessorFaults(), log: log)
        executor = OperationExecutor(
            store: store, processor: processor, lease: ModelStore.lease, backoff: Backoff(base: .seconds(1), cap: .seconds(1)),
            searchLag: Self.searchLag, now: { ModelStore.time }, logger: logger)
    }

    mutating func run() async -> ScheduleOutcome {
        for (index, step) in schedule.steps.enumerated() {
            note("step \(index + 1): \(step)")
            await perform(step)
            inbox += await processor.takeWebhooks()
        }
        note("drain")
        let drained = await drain()
        var violations = await ScheduleInvariants.check(store: store, processor: processor, drained: drained)
        if !drained { violations.append("the queue did not go quiet once the faults stopped") }
        return ScheduleOutcome(
            violations: violations, trace: log?.lines ?? [], drained: drained, swallowedDuplicates: await store.duplicates.count)
    }

    private mutating func perform(_ step: Step) async {
        switch step {
        case .authorize, .capture, .void, .refund: await request(step)
        case .run(let pick): await runDue(pick: pick)
        case .staleRun(let pick, let stallAt, let executeFirst): await staleRun(pick: pick, stallAt: stallAt, executeFirst: executeFirst)
        default: await world(step)
        }
    }

    private mutating func request(_ step: Step) async {
        switch step {
        case .authorize(let amount, let capture, let declines):
            let method = declines ? ModelProcessor.decliningCard : "pm_card_visa"
            let id = await store.authorize(amount: amount, capture: capture, paymentMethod: method)
            paymentIds.append(id)
            note("  -> \(id)")
        case .capture(let payment, let quarters):
            guard let id = paymentId(payment), let amount = await store.payment(id)?.amount else { return }
            let answer = await store.requestCapture(paymentId: id, amount: quarters.map { amount * $0 / 4 })
            note("  -> \(id): \(answer)")
        case .void(let payment):
            guard let id = paymentId(payment) else { return }
            let answer = await store.requestVoid(paymentId: id)
            note("  -> \(id): \(answer)")
        case .refund(let payment, let quarters):
            guard let id = paymentId(payment), let captured = await store.payment(id)?.amountCaptured else { return }
            let answer = await store.requestRefund(paymentId: id, amount: quarters.map { max(1, captured * $0 / 4) })
            note("  -> \(id): \(answer)")
        default:
            return
        }
    }

    private mutating func world(_ step: Step) async {
        switch step {
        case .deliver(let pick, let again): await deliver(pick: pick, again: again)
        case .wait(let seconds): await advance(to: await store.now + .seconds(seconds))
        case .settleRefund(let pick, let fails): await processor.settlePendingRefund(pick: pick, fails: fails)
        case .failRefund(let pick): await processor.failSucceededRefund(pick: pick)
        default: return
        }
    }

    private mutating func runDue(pick: Int) async {
        let due = await store.dueOperations()
        guard !due.isEmpty, let op = await store.claim(due[pick % due.count]) else { return note("  -> nothing due") }
        note("  -> op\(op.id) \(op.kind.rawValue) \(op.paymentId) gen \(op.generation)")
        await executor.drive(op, logger: logger)
    }

    /// Two claims of one operation: the first runner stalls in a processor call, the lease expires, a second
    /// claim runs the operation; then the first goes on, and its writes must be refused.
    private mutating func staleRun(pick: Int, stallAt: Int, executeFirst: Bool) async {
        let due = await store.dueOperations()
        guard !due.isEmpty, let first = await store.claim(due[pick % due.count]) else { return note("  -> nothing due") }
        note("  -> op\(first.id) \(first.kind.rawValue) \(first.paymentId) gen \(first.generation), to stall")
        await processor.armStall(atCall: stallAt, executeFirst: executeFirst)
        let runner = Task { [executor, processor, logger] in
            await executor.drive(first, logger: logger)
            await processor.runnerEnded()
        }
        guard await processor.waitForStall() else {
            await runner.value
            return note("  -> it ended before its call \(stallAt)")
        }
        await advance(to: await store.now + ModelStore.lease + .seconds(1))
        if let second = await store.claim(first.id) {
            note("  -> second claim, gen \(second.generation)")
            await executor.drive(second, logger: logger)
        }
        await processor.releaseStall()
        await runner.value
    }

    private mutating func deliver(pick: Int, again: Bool) async {
        guard !inbox.isEmpty else { return note("  -> no webhook") }
        let index = pick % inbox.count
        let notice = inbox[index]
        if !again { inbox.remove(at: index) }
        let receipt = await store.receiveWebhook(notice)
        note("  -> \(notice.eventId) \(notice.type) \(notice.paymentId ?? "") \(notice.refundId ?? ""): \(receipt)")
    }

    /// Everything pending settles at the processor, the queue runs with faults for a while, then without
    /// them until it is quiet (every webhook delivered, reordered and some twice; parked operations stay parked).
    private mutating func drain() async -> Bool {
        await processor.settleEverything()
        _ = await quiesce(budget: 40)
        await processor.setFaults(.none)
        return await quiesce(budget: 800)
    }

    private mutating func quiesce(budget: Int) async -> Bool {
        for _ in 0..<budget {
            inbox += await processor.takeWebhooks()
            if !inbox.isEmpty {
                await deliver(pick: rng.pick(), again: rng.chance(0.2))
            } else if await store.hasDueOperations() {
                await runDue(pick: 0)
            } else if let next = await store.nextDue() {
                await advance(to: next)
            } else {
                return true
            }
        }
        return false
    }

    private func advance(to time: Duration) async {
        await store.advance(to: time)
        await processor.setTime(await store.now)
    }

    private func paymentId(_ pick: Int) -> String? { paymentIds.isEmpty ? nil : paymentIds[pick % paymentIds.count] }

    private func note(_ line: String) { log?.add(line) }
}

/// What a traced run did, in order: the schedule's steps, the store's writes and the processor's answers.
final class TraceLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String] = []

    var lines: [String] { lock.withLock { entries } }

    func add(_ line: String) { lock.withLock { entries.append(line) } }
}
