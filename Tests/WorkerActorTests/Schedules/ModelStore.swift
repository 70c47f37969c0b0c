import Payments
import Store
@testable import WorkerActor

/// An in-memory `OperationStore` with the real store's semantics (`Store/Queries`): a queue of operations with
/// lease generations, claims that bump them, fenced writes (`leaseLost`), the compare-and-set on the payment's
/// status, and the capture, void, refund and webhook rules. Time is a number the schedule moves on.
actor ModelStore: OperationStore {
    struct PaymentRow: Sendable {
        var payment: Payment
        var paymentMethod: String
    }

    struct RefundRow: Sendable {
        var refund: Refund
        var failureReason: String?
    }

    struct OperationRow: Sendable {
        var id: Int
        var kind: OperationKind
        var paymentId: String
        var refundId: String?
        var amount: Int?
        var key: String
        var attempts = 0
        var createAttempt = 0
        var keyAttempt = 0
        var protocolFaults = 0
        var dispatchedAt: Duration?
        var status = OperationStatus.queued
        var nextAttemptAt: Duration
        var leaseUntil: Duration?
        var generation = 0
        var lastError: String?

        var isLive: Bool { status == .queued || status == .parked }
    }

    /// A status the store applied to a payment, and the one it replaced.
    struct Transition: Sendable {
        var paymentId: String
        var from: PaymentStatus
        var to: PaymentStatus
    }

    static let lease = Duration.seconds(30)
    static let time = "2026-12-01T00:00:00Z"

    private(set) var now = Duration.zero
    private(set) var payments: [PaymentRow] = []
    private(set) var refunds: [RefundRow] = []
    private(set) var operations: [OperationRow] = []
    /// Every event the store inserted, in order; `duplicates` those whose (subject, type) it held already
    /// (the events table keeps one per subject and type: a duplicate is a fact written twice).
    private(set) var events: [DomainEvent] = []
    private(set) var duplicates: [DomainEvent] = []
    private(set) var transitions: [Transition] = []
    private var webhookIds: Set<String> = []
    private var eventKeys: Set<String> = []
    private let log: TraceLog?
    /// A deliberately broken compare-and-set (the test that the schedules catch it).
    private let acceptAnyTransition: Bool

    init(log: TraceLog?, acceptAnyTransition: Bool = false) {
        self.log = log
        self.acceptAnyTransition = acceptAnyTransition
    }

    func advance(by duration: Duration) { now += duration }

    func advance(to time: Duration) { now = max(now, time) }

    // MARK: Requests (the API's side)

    /// A new REQUESTED payment with its authorization queued (`Intake.swift`).
    func authorize(amount: Int, capture: CaptureMode, paymentMethod: String) -> String {
        let id = "pay\(payments.count + 1)"
        payments.append(PaymentRow(
            payment: Payment(
                paymentId: id, cartId: "cart\(payments.count + 1)", orderId: "order\(payments.count + 1)", customerId: nil, amount: amount,
                currency: "USD", status: .requested, capture: capture, createdAt: Self.time, updatedAt: Self.time),
            paymentMethod: paymentMethod))
        enqueue(.authorize, paymentId: id, amount: nil, key: "\(id):authorize")
        return id
    }

    /// `requestCapture`: the domain's `LifecycleDecision`, carried out as `LifecycleRequest.swift` does.
    func requestCapture(paymentId: String, amount: Int?) -> String {
        guard let payment = payment(paymentId) else { return "not found" }
        return carryOut(LifecycleDecision.capture(payment: payment, operations: summaries(of: paymentId), amount: amount), payment)
    }

    func requestVoid(paymentId: String) -> String {
        guard let payment = payment(paymentId) else { return "not found" }
        return carryOut(LifecycleDecision.void(payment: payment, operations: summaries(of: paymentId)), payment)
    }

    /// `requestRefund`: the domain's `RefundRequestDecision`; what is left to refund is reserved by the refunds
    /// not FAILED.
    func requestRefund(paymentId: String, amount: Int?) -> String {
        guard let payment = payment(paymentId) else { return "not found" }
        let reserved = refunds.filter { $0.refund.paymentId == paymentId && $0.refund.status != .failed }.map(\.refund.amount).reduce(0, +)
        guard case .refund(let wanted) = RefundRequestDecision.decide(payment: payment, reserved: reserved, amount: amount) else {
            return "409 \(payment.amountCaptured - reserved) left"
        }
        let id = "ref\(refunds.count + 1)"
        refunds.append(RefundRow(refund: Refund(
            refundId: id, paymentId: paymentId, amount: wanted, currency: "USD", reason: nil, status: .requested, processorReference: nil,
            createdAt: Self.time, updatedAt: Self.time)))
        enqueue(.refund, paymentId: paymentId, amount: wanted, key: "\(id):refund", refundId: id)
        return "201 \(id) of \(wanted)"
    }

    private func summaries(of paymentId: String) -> [OperationSummary] {
        operations.filter { $0.paymentId == paymentId }.map {
            OperationSummary(id: $0.id, kind: $0.kind, status: $0.status, amount: $0.amount, dispatched: $0.dispatchedAt != nil,
                             keyAttempt: $0.keyAttempt)
        }
    }

    private func carryOut(_ decision: LifecycleDecision, _ payment: Payment) -> String {
        switch decision {
        case .done: return "200 \(payment.status.rawValue)"
        case .conflict(let reason): return "409 \(reason)"
        case .release(let op): return "202 \(release(op.id))"
        case .enqueue(let kind, let amount, let keyAttempt):
            return "202 op\(enqueue(kind, paymentId: payment.paymentId, amount: amount, key: "\(payment.paymentId):\(kind.rawValue)", keyAttempt: keyAttempt))"
        case .voidUnsent(let authorization):
            return voidUnsent(payment, authorization: authorization) ? "200 voided unsent" : "409 not unsent"
        }
    }

    /// `receiveWebhook` (`WebhookInbox.swift`): deduplicated by id; a record behind what the event says
    /// releases the payment's parked operations, brings its queued ones forward, or queues a `sync`.
    func receiveWebhook(_ notice: WebhookNotice) -> String {
        guard webhookIds.insert(notice.eventId).inserted else { return "duplicate" }
        guard let (payment, refundStatus) = subject(of: notice) else { return "unrelated" }
        guard notice.isAhead(of: payment, refundStatus: refundStatus) else { return "up to date" }
        let refundBehind = notice.isRefundAhead(of: refundStatus) || notice.isStrayHold(on: payment)
        let expedited = wake(payment.paymentId)
        return queueSync(payment.paymentId, notice: notice, refundBehind: refundBehind, expedited: expedited)
    }

    /// The payment's parked operations are released and its queued ones brought forward (how many).
    private func wake(_ paymentId: String) -> Int {
        var expedited = 0
        for index in operations.indices where operations[index].paymentId == paymentId {
            if operations[index].status == .parked {
                operations[index].status = .queued
                operations[index].nextAttemptAt = now
                operations[index].protocolFaults = 0
            } else if operations[index].status == .queued, operations[index].nextAttemptAt > now {
                operations[index].nextAttemptAt = now
                expedited += 1
            }
        }
        return expedited
    }

    /// A refund's event always gets a sync; a payment's only when nothing of the payment waits to run.
    private func queueSync(_ paymentId: String, notice: WebhookNotice, refundBehind: Bool, expedited: Int) -> String {
        let waiting = operations.contains { $0.paymentId == paymentId && $0.status == .queued && !isLeased($0) }
        guard refundBehind || (expedited == 0 && !waiting) else { return "brought forward" }
        let syncWaits = operations.contains { $0.paymentId == paymentId && $0.kind == .sync && $0.status == .queued && $0.generation == 0 }
        guard !syncWaits else { return "a sync waits already" }
        enqueue(.sync, paymentId: paymentId, amount: nil, key: "\(paymentId):sync:\(notice.eventId)")
        return "sync queued"
    }

    // MARK: The queue

    /// The operations a claim would take now, oldest first.
    func dueOperations() -> [Int] {
        operations.filter { $0.status == .queued && $0.nextAttemptAt <= now && !isLeased($0) }
            .sorted { ($0.nextAttemptAt, $0.id) < ($1.nextAttemptAt, $1.id) }.map(\.id)
    }

    func hasDueOperations() -> Bool { !dueOperations().isEmpty }

    /// When the next queued operation falls due (its lease expired included); nil when none is queued. The
    /// operations of a payment with a parked one wait on it (a void on its parked authorization): not counted.
    func nextDue() -> Duration? {
        let parked = Set(operations.filter { $0.status == .parked }.map(\.paymentId))
        return operations.filter { $0.status == .queued && !parked.contains($0.paymentId) }
            .map { max($0.nextAttemptAt, ($0.leaseUntil ?? .zero) + .milliseconds(1)) }.min()
    }

    /// `claimOperations` for one operation: its generation and attempts move on, and a lease is taken.
    func claim(_ id: Int) -> ClaimedOperation? {
        guard let index = operations.firstIndex(where: { $0.id == id }), operations[index].status == .queued,
            operations[index].nextAttemptAt <= now, !isLeased(operations[index])
        else { return nil }
        operations[index].generation += 1
        operations[index].attempts += 1
        operations[index].leaseUntil = now + Self.lease
        let row = operations[index]
        log?.add("    store: claim op\(row.id) \(row.kind.rawValue) gen \(row.generation) attempt \(row.attempts)")
        return claimed(row)
    }

    // MARK: OperationStore

    func recordDispatch(of operation: ClaimedOperation, event: DomainEvent?) async throws(StoreError) -> Bool {
        guard let index = held(operation.lease), let payment = payment(operations[index].paymentId),
            operations[index].kind != .authorize || payment.status == .requested
        else {
            log?.add("    store: op\(operation.id) gen \(operation.generation): dispatch not recorded")
            return false
        }
        operations[index].dispatchedAt = operations[index].dispatchedAt ?? now
        append(event.map { [$0] } ?? [])
        log?.add("    store: op\(operation.id) gen \(operation.generation): dispatch recorded")
        return true
    }

    func recordProcessorReference(_ lease: OperationLease, paymentId: String, reference: String) async throws(StoreError) -> String {
        guard held(lease) != nil, let index = paymentIndex(paymentId) else { throw leaseLost(lease, "record reference \(reference)") }
        if payments[index].payment.processorReference == nil { payments[index].payment.processorReference = reference }
        let recorded = payments[index].payment.processorReference ?? reference
        log?.add("    store: op\(lease.operationId) gen \(lease.generation): reference \(reference) -> recorded \(recorded)")
        return recorded
    }

    func recordedReference(paymentId: String) async throws(StoreError) -> String? { payment(paymentId)?.processorReference }

    func refund(id: String) async throws(StoreError) -> Refund? { refunds.first { $0.refund.refundId == id }?.refund }

    /// `recordRefund` (`RefundOutcomes.swift`): forward only, `amountRefunded` with it, the events when it moves.
    func record(_ write: RefundRecord, under lease: OperationLease, drivesRefund: Bool) async throws(StoreError) {
        guard let opIndex = held(lease) else { throw leaseLost(lease, "record refund \(write.refundId) \(write.status.rawValue)") }
        guard let index = refunds.firstIndex(where: { $0.refund.refundId == write.refundId }),
            let paymentIndex = paymentIndex(refunds[index].refund.paymentId)
        else { throw StoreError(.unexpectedResult, "refund \(write.refundId) missing") }
        let current = refunds[index].refund.status
        let moves = current != write.status && (current == .requested || (current == .processed && write.status == .failed))
        if moves { move(index, of: paymentIndex, from: current, by: write) }
        refunds[index].refund.processorReference = refunds[index].refund.processorReference ?? write.processorReference
        if let lastError = write.lastError { _ = apply(PaymentChange(lastError: lastError), to: paymentIndex) }
        if drivesRefund { settle(opIndex, watchAgainAfter: write.watchAgainAfter, moves: moves, failed: write.status == .failed && current == .requested) }
        log?.add("    store: op\(lease.operationId) gen \(lease.generation): refund \(write.refundId) \(current.rawValue) -> \(write.status.rawValue) moves \(moves)")
    }

    /// `finishOperation` (`OperationOutcomes.swift`): the change with its compare-and-set, its events only if it
    /// applied; the payment as it left it (nil: not applied).
    @discardableResult
    func finishOperation(
        _ lease: OperationLease, paymentId: String, change: PaymentChange, events: [DomainEvent], resolution: OperationStatus,
        recheckAfter: Duration? = nil
    ) async throws(StoreError) -> Payment? {
        guard let opIndex = held(lease), let index = paymentIndex(paymentId) else {
            throw leaseLost(lease, "finish \(resolution.rawValue) \(change.status?.rawValue ?? "-")")
        }
        let applied = apply(change, to: index)
        if applied { append(events) }
        operations[opIndex].status = resolution
        operations[opIndex].leaseUntil = nil
        if let recheckAfter { operations[opIndex].nextAttemptAt = now + recheckAfter }
        log?.add("    store: op\(lease.operationId) gen \(lease.generation): finish \(resolution.rawValue) status \(change.status?.rawValue ?? "-") applied \(applied) events \(events.map(\.type))")
        return applied ? payments[index].payment : nil
    }

    // The model's processor opens no disputes and every refund it holds is one of ours: these are never reached.
    func dispute(reference: String) async throws(StoreError) -> Dispute? { nil }
    func recordDispute(_ lease: OperationLease, _ transition: DisputeTransition) async throws(StoreError) {
        throw StoreError(.unexpectedResult, "the model records no disputes")
    }
    func recordForeignRefund(
        _ lease: OperationLease, of op: ClaimedOperation, _ refund: ForeignRefund, newRefundId: String, at time: String
    ) async throws(StoreError) {
        throw StoreError(.unexpectedResult, "the model's processor made refund \(refund.processorReference) without our metadata")
    }

    func reschedule(
        _ lease: OperationLease, after delay: Duration, error: String?, newCreateAttempt: Int?, newKeyAttempt: Int?, protocolFault: Bool
    ) async throws(StoreError) {
        guard let index = held(lease) else { throw leaseLost(lease, "reschedule") }
        // Whole seconds, rounded up: the backoff's jitter never changes when an operation falls due.
        operations[index].nextAttemptAt = now + .seconds(Int((Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18).rounded(.up)))
        operations[index].leaseUntil = nil
        operations[index].lastError = error ?? operations[index].lastError
        operations[index].createAttempt = newCreateAttempt ?? operations[index].createAttempt
        operations[index].keyAttempt = newKeyAttempt ?? operations[index].keyAttempt
        operations[index].protocolFaults += protocolFault ? 1 : 0
        log?.add("    store: op\(lease.operationId) gen \(lease.generation): reschedule \(error ?? "(wait)")")
    }

    func renewLease(_ lease: OperationLease, for duration: Duration) async throws(StoreError) -> Bool {
        guard let index = held(lease), operations[index].leaseUntil != nil else { return false }
        operations[index].leaseUntil = now + duration
        return true
    }

    // MARK: Helpers

    func payment(_ id: String) -> Payment? { paymentIndex(id).map { payments[$0].payment } }

    private func paymentIndex(_ id: String) -> Int? { payments.firstIndex { $0.payment.paymentId == id } }

    private func isLeased(_ row: OperationRow) -> Bool { row.leaseUntil.map { $0 >= now } ?? false }

    /// The operation's index while `lease` still holds it (its generation, and queued).
    private func held(_ lease: OperationLease) -> Int? {
        operations.firstIndex { $0.id == lease.operationId && $0.generation == lease.generation && $0.status == .queued }
    }

    private func leaseLost(_ lease: OperationLease, _ write: String) -> StoreError {
        log?.add("    store: op\(lease.operationId) gen \(lease.generation): \(write) refused, lease lost")
        return StoreError(.leaseLost, "operation \(lease.operationId): lease generation \(lease.generation) was taken over")
    }

    /// `PaymentChangeSQL.update`: the status only from one that may move to it; the reference never replaced.
    private func apply(_ change: PaymentChange, to index: Int) -> Bool {
        var payment = payments[index].payment
        if let status = change.status {
            guard acceptAnyTransition || PaymentStatus.allowedPrevious(for: status).contains(payment.status) else { return false }
            transitions.append(Transition(paymentId: payment.paymentId, from: payment.status, to: status))
            payment.status = status
        }
        payment.amountCaptured = change.amountCaptured ?? payment.amountCaptured
        payment.failureReason = change.failureReason ?? payment.failureReason
        payment.declineCode = change.declineCode ?? payment.declineCode
        payment.processorReference = payment.processorReference ?? change.processorReference
        if let lastError = change.lastError {
            payment.lastError = lastError
        } else if let succeeded = change.succeeded, payment.lastError?.operation == succeeded {
            payment.lastError = nil
        }
        payments[index].payment = payment
        return true
    }

    /// Into the events table, which holds one event per subject and type.
    private func append(_ new: [DomainEvent]) {
        for event in new {
            if eventKeys.insert("\(event.subjectId) \(event.type)").inserted { events.append(event) } else { duplicates.append(event) }
        }
    }

    private func move(_ index: Int, of paymentIndex: Int, from current: RefundStatus, by write: RefundRecord) {
        refunds[index].refund.status = write.status
        refunds[index].failureReason = refunds[index].failureReason ?? write.failureReason
        let amount = refunds[index].refund.amount
        payments[paymentIndex].payment.amountRefunded += write.status == .processed ? amount : (current == .processed ? -amount : 0)
        append(write.events)
    }

    private func settle(_ index: Int, watchAgainAfter: Duration?, moves: Bool, failed: Bool) {
        operations[index].leaseUntil = nil
        if let watchAgainAfter {
            operations[index].nextAttemptAt = now + watchAgainAfter
            if moves { operations[index].attempts = 0 }
        } else {
            operations[index].status = failed ? .failed : .done
        }
    }

    @discardableResult
    private func enqueue(_ kind: OperationKind, paymentId: String, amount: Int?, key: String, refundId: String? = nil, keyAttempt: Int = 0) -> Int {
        let id = operations.count + 1
        operations.append(OperationRow(
            id: id, kind: kind, paymentId: paymentId, refundId: refundId, amount: amount, key: key, keyAttempt: keyAttempt, nextAttemptAt: now))
        log?.add("    store: queued op\(id) \(kind.rawValue) \(paymentId)\(amount.map { " \($0)" } ?? "")")
        return id
    }

    /// A parked capture or void asked for again is released; a queued one is left as it is.
    private func release(_ id: Int) -> String {
        guard let index = operations.firstIndex(where: { $0.id == id }) else { return "op\(id)" }
        if operations[index].status == .parked {
            operations[index].status = .queued
            operations[index].nextAttemptAt = now
            operations[index].protocolFaults = 0
        }
        return "op\(id)"
    }

    /// `voidUnsent`: the authorization the decision names is cancelled and the payment voided, with no call.
    private func voidUnsent(_ payment: Payment, authorization: Int) -> Bool {
        guard let opIndex = operations.firstIndex(where: { $0.id == authorization }), let index = paymentIndex(payment.paymentId) else {
            return false
        }
        operations[opIndex].status = .cancelled
        operations[opIndex].leaseUntil = nil
        guard apply(PaymentChange(status: .voided), to: index) else { return false }
        append([.paymentVoided(paymentId: payment.paymentId, orderId: payment.orderId, processorReference: nil, voidedAt: Self.time)])
        return true
    }

    private func subject(of notice: WebhookNotice) -> (Payment, RefundStatus?)? {
        if let refundId = notice.refundId {
            guard let row = refunds.first(where: { $0.refund.refundId == refundId }), let payment = payment(row.refund.paymentId) else { return nil }
            return (payment, row.refund.status)
        }
        guard let paymentId = notice.paymentId, let payment = payment(paymentId), payment.processorReference != nil,
            payment.processorReference == notice.intentId
        else { return nil }
        return (payment, nil)
    }

    private func claimed(_ row: OperationRow) -> ClaimedOperation? {
        guard let paymentRow = paymentIndex(row.paymentId).map({ payments[$0] }) else { return nil }
        let p = paymentRow.payment
        let refund = row.refundId.flatMap { id in refunds.first { $0.refund.refundId == id } }.map {
            RefundContext(status: $0.refund.status, amount: $0.refund.amount, reason: $0.refund.reason, processorReference: $0.refund.processorReference)
        }
        return ClaimedOperation(
            id: row.id, generation: row.generation, kind: row.kind, paymentId: row.paymentId, refundId: row.refundId, amount: row.amount,
            idempotencyKey: row.key, attempts: row.attempts, createAttempt: row.createAttempt, keyAttempt: row.keyAttempt,
            protocolFaults: row.protocolFaults, dispatched: row.dispatchedAt != nil, sinceDispatch: row.dispatchedAt.map { now - $0 },
            payment: PaymentContext(
                status: p.status, orderId: p.orderId, customerId: p.customerId, amount: p.amount, currency: p.currency, capture: p.capture,
                paymentMethod: paymentRow.paymentMethod, processorReference: p.processorReference, metadata: [:]),
            refund: refund)
    }
}
