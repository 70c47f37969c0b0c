import Payments
import Store
import StripeGateway
import Support

/// How often the model processor misbehaves, per call.
struct ProcessorFaults: Sendable {
    /// A failure before the request was sent: nothing happened (`.retryable`).
    var retryable = 0.07
    /// Executed, the answer lost on the way back (`.unknown`); the key replays the true answer.
    var lostAnswer = 0.07
    /// A 500 saved under the key (executed or not): the key replays it (`replayed: true`) for ever.
    var saved500 = 0.05
    /// Executed, the body unreadable (`StripeCallFailure.unreadable`); the key replays the true answer.
    var unreadable = 0.03
    /// A call that would succeed is refused (capture, cancel, refund), saved under the key.
    var refuse = 0.06
    /// An intent answered without its amounts (a field a decision needs is missing).
    var missingField = 0.02

    static let none = ProcessorFaults(retryable: 0, lostAnswer: 0, saved500: 0, unreadable: 0, refuse: 0, missingField: 0)
}

/// An in-memory Stripe: intents and refunds, idempotency keys that replay their first answer, the search's
/// lag, webhooks for every change, and faults drawn from a seeded generator.
actor ModelProcessor: StripeAPI {
    struct Intent: Sendable {
        var id: String
        var amount: Int
        var captureMethod: String
        var status: StripePaymentIntent.Status
        var capturable = 0
        var received = 0
        var metadata: [String: String]
        var createdAt: Duration
        var lastPaymentError: StripeErrorBody?
        var paymentId: String { metadata["payment_id"] ?? "" }
    }

    struct ModelRefund: Sendable {
        var id: String
        var intentId: String
        var amount: Int
        var status: StripeRefund.Status
        var metadata: [String: String]
        var holdsMoney: Bool { status == .succeeded || status == .pending }
    }

    enum Fault { case none, retryable, lostAnswer, saved500(executed: Bool), unreadable, refuse, missingField }

    static let decliningCard = "pm_card_chargeDeclined"

    private(set) var intents: [Intent] = []
    private(set) var refunds: [ModelRefund] = []
    private var savedIntents: [String: StripeResult<StripePaymentIntent>] = [:]
    private var savedRefunds: [String: StripeResult<StripeRefund>] = [:]
    /// Confirmations that placed a hold or charged, per payment.
    private(set) var confirmations: [String: Int] = [:]
    private var now: Duration = .zero
    private let searchLag: Duration
    private var rng: SeededGenerator
    private var faults: ProcessorFaults
    /// Whether a new refund may stay `pending` for a while.
    private var pendingRefunds = true
    private var webhooks: [WebhookNotice] = []
    private var eventCount = 0
    private let stall = Stall()
    private let log: TraceLog?

    init(seed: UInt64, searchLag: Duration, faults: ProcessorFaults, log: TraceLog?) {
        rng = SeededGenerator(seed: seed ^ 0x5EED_5EED)
        self.searchLag = searchLag
        self.faults = faults
        self.log = log
    }

    func setTime(_ time: Duration) { now = time }

    func setFaults(_ faults: ProcessorFaults) { self.faults = faults }

    /// The webhooks published since the last call.
    func takeWebhooks() -> [WebhookNotice] {
        defer { webhooks = [] }
        return webhooks
    }

    // MARK: Stripe's calls

    func createPaymentIntent(_ params: CreatePaymentIntentParams, idempotencyKey: String) async -> StripeResult<StripePaymentIntent> {
        await through("create \(idempotencyKey)") {
            keyed(idempotencyKey, in: &savedIntents, refusal: nil) { create(params) }
        }
    }

    func confirmPaymentIntent(id: String, paymentMethod: String, offSession: Bool, idempotencyKey: String) async -> StripeResult<StripePaymentIntent> {
        await through("confirm \(id) \(idempotencyKey)") {
            keyed(idempotencyKey, in: &savedIntents, refusal: nil) { confirm(id, paymentMethod: paymentMethod) }
        }
    }

    func retrievePaymentIntent(id: String) async -> StripeResult<StripePaymentIntent> {
        await through("retrieve \(id)") {
            read { intent(id).map { .success(snapshot($0)) } ?? Self.missing(id) }
        }
    }

    func searchPaymentIntents(metadataKey: String, value: String) async -> StripeResult<[StripePaymentIntent]> {
        await through("search \(value)") {
            read { .success(intents.filter { $0.metadata[metadataKey] == value && $0.createdAt + searchLag <= now }.map { snapshot($0) }) }
        }
    }

    func capturePaymentIntent(id: String, amountToCapture: Int?, idempotencyKey: String) async -> StripeResult<StripePaymentIntent> {
        await through("capture \(id) \(amountToCapture.map(String.init) ?? "all") \(idempotencyKey)") {
            keyed(idempotencyKey, in: &savedIntents, refusal: Self.refusal("payment_intent_unexpected_state")) {
                capture(id, amount: amountToCapture)
            }
        }
    }

    func cancelPaymentIntent(id: String, reason: String?, idempotencyKey: String) async -> StripeResult<StripePaymentIntent> {
        await through("cancel \(id) \(idempotencyKey)") {
            keyed(idempotencyKey, in: &savedIntents, refusal: Self.refusal("payment_intent_unexpected_state")) { cancel(id) }
        }
    }

    func createRefund(_ params: CreateRefundParams, idempotencyKey: String) async -> StripeResult<StripeRefund> {
        await through("refund \(params.paymentIntent) \(params.amount.map(String.init) ?? "all") \(idempotencyKey)") {
            keyed(idempotencyKey, in: &savedRefunds, refusal: Self.refusal("balance_insufficient")) { refund(params) }
        }
    }

    func retrieveRefund(id: String) async -> StripeResult<StripeRefund> {
        await through("retrieve refund \(id)") {
            read { refunds.first { $0.id == id }.map { .success(snapshot($0)) } ?? Self.missing(id) }
        }
    }

    func listRefunds(paymentIntent: String) async -> StripeResult<[StripeRefund]> {
        await through("list refunds \(paymentIntent)") {
            read {
                guard intent(paymentIntent) != nil else { return Self.missing(paymentIntent) }
                return .success(refunds.reversed().filter { $0.intentId == paymentIntent }.map { snapshot($0) })
            }
        }
    }

    /// The model opens no disputes.
    func retrieveDispute(id: String) async -> StripeResult<StripeDispute> {
        await through("retrieve dispute \(id)") { Self.missing(id) }
    }

    // MARK: What happens at the processor on its own

    /// A `pending` refund settles (the `pick`-th, if any).
    func settlePendingRefund(pick: Int, fails: Bool) {
        let pending = refunds.indices.filter { refunds[$0].status == .pending }
        guard !pending.isEmpty else { return }
        let index = pending[pick % pending.count]
        refunds[index].status = fails ? .failed : .succeeded
        publish(refunds[index], "refund.updated")
    }

    /// A succeeded refund fails later (the bank sends the money back to the charge).
    func failSucceededRefund(pick: Int) {
        let succeeded = refunds.indices.filter { refunds[$0].status == .succeeded }
        guard !succeeded.isEmpty else { return }
        let index = succeeded[pick % succeeded.count]
        refunds[index].status = .failed
        publish(refunds[index], "refund.failed")
    }

    /// Before the schedule drains: every pending refund succeeds, and no new one waits.
    func settleEverything() {
        pendingRefunds = false
        for index in refunds.indices where refunds[index].status == .pending {
            refunds[index].status = .succeeded
            publish(refunds[index], "refund.updated")
        }
    }

    // MARK: A runner stalled in a call

    /// The `call`-th call from now stalls until `releaseStall()`; `executeFirst`: it runs, then its answer waits.
    func armStall(atCall call: Int, executeFirst: Bool) { stall.arm(call, executeFirst: executeFirst) }

    /// True when a call stalled; false when the runner ended first.
    func waitForStall() async -> Bool { await withCheckedContinuation { stall.wait($0) } }

    func runnerEnded() { stall.ended() }

    func releaseStall() { stall.release() }

    private func through<T: Sendable>(_ call: String, _ work: () -> StripeResult<T>) async -> StripeResult<T> {
        guard let executeFirst = stall.count() else { return traced(call, work()) }
        if executeFirst {
            let answer = work()
            await withCheckedContinuation { stall.stall($0) }
            return traced("(stalled) \(call)", answer)
        }
        await withCheckedContinuation { stall.stall($0) }
        return traced("(stalled) \(call)", work())
    }

    private func traced<T>(_ call: String, _ answer: StripeResult<T>) -> StripeResult<T> {
        log?.add("    stripe: \(call) -> \(Self.describe(answer))")
        return answer
    }

    // MARK: Faults and keys

    private func draw(refusable: Bool) -> Fault {
        var roll = Double.random(in: 0..<1, using: &rng)
        let table: [(Double, Fault)] = [
            (faults.retryable, .retryable), (faults.lostAnswer, .lostAnswer),
            (faults.saved500, .saved500(executed: rng.chance(0.5))), (faults.unreadable, .unreadable),
            (refusable ? faults.refuse : 0, .refuse), (faults.missingField, .missingField),
        ]
        for (rate, fault) in table {
            if roll < rate { return fault }
            roll -= rate
        }
        return .none
    }

    /// A call with an idempotency key: a key seen before replays its first answer, whatever it was.
    private func keyed<T: Sendable>(
        _ key: String, in saved: inout [String: StripeResult<T>], refusal: StripeResult<T>?, execute: () -> StripeResult<T>
    ) -> StripeResult<T> {
        if let replay = saved[key] { return replay }
        switch draw(refusable: refusal != nil) {
        case .retryable:
            return .retryable(StripeCallFailure(httpStatus: 429, code: "rate_limit", message: "rate limited"))
        case .lostAnswer:
            saved[key] = execute()
            return .unknown(StripeCallFailure(httpStatus: nil, code: "timeout", message: "answer lost"))
        case .saved500(let executed):
            if executed { _ = execute() }
            saved[key] = .unknown(StripeCallFailure(httpStatus: 500, code: "api_error", message: "saved 500", replayed: true))
            return .unknown(StripeCallFailure(httpStatus: 500, code: "api_error", message: "500"))
        case .unreadable:
            saved[key] = execute()
            return .unknown(StripeCallFailure(httpStatus: 200, code: StripeCallFailure.unreadable, message: "unreadable body"))
        case .refuse:
            saved[key] = refusal
            return refusal ?? execute()
        case .missingField, .none:
            let answer = execute()
            saved[key] = answer
            return answer
        }
    }

    /// A read: nothing to execute twice, so its faults are failures and unreadable answers.
    private func read<T: Sendable>(_ execute: () -> StripeResult<T>) -> StripeResult<T> {
        switch draw(refusable: false) {
        case .retryable: .retryable(StripeCallFailure(httpStatus: 429, code: "rate_limit", message: "rate limited"))
        case .lostAnswer, .saved500: .unknown(StripeCallFailure(httpStatus: nil, code: "timeout", message: "read timed out"))
        case .unreadable: .unknown(StripeCallFailure(httpStatus: 200, code: StripeCallFailure.unreadable, message: "unreadable body"))
        default: execute()
        }
    }

    // MARK: The objects

    private func intent(_ id: String) -> Intent? { intents.first { $0.id == id } }

    private func create(_ params: CreatePaymentIntentParams) -> StripeResult<StripePaymentIntent> {
        let intent = Intent(
            id: "pi_\(intents.count + 1)", amount: params.amount, captureMethod: params.captureMethod, status: .requiresPaymentMethod,
            metadata: params.metadata, createdAt: now)
        intents.append(intent)
        return .success(snapshot(intent, complete: true))
    }

    private func confirm(_ id: String, paymentMethod: String) -> StripeResult<StripePaymentIntent> {
        guard let index = intents.firstIndex(where: { $0.id == id }) else { return Self.missing(id) }
        guard [.requiresPaymentMethod, .requiresConfirmation, .requiresAction].contains(intents[index].status) else {
            return Self.unexpectedState
        }
        if paymentMethod == Self.decliningCard {
            let error = StripeErrorBody(type: "card_error", code: "card_declined", declineCode: "generic_decline", message: "declined")
            intents[index].status = .requiresPaymentMethod
            intents[index].lastPaymentError = error
            publish(intents[index], "payment_intent.payment_failed")
            return .declined(error, paymentIntent: snapshot(intents[index], complete: true))
        }
        intents[index].lastPaymentError = nil
        if intents[index].captureMethod == "manual" {
            intents[index].status = .requiresCapture
            intents[index].capturable = intents[index].amount
        } else {
            intents[index].status = .succeeded
            intents[index].received = intents[index].amount
        }
        confirmations[intents[index].paymentId, default: 0] += 1
        publish(intents[index], intents[index].status == .succeeded ? "payment_intent.succeeded" : "payment_intent.amount_capturable_updated")
        return .success(snapshot(intents[index], complete: true))
    }

    private func capture(_ id: String, amount: Int?) -> StripeResult<StripePaymentIntent> {
        guard let index = intents.firstIndex(where: { $0.id == id }) else { return Self.missing(id) }
        guard intents[index].status == .requiresCapture else { return Self.unexpectedState }
        let wanted = amount ?? intents[index].capturable
        guard wanted <= intents[index].capturable else { return Self.refusal("amount_too_large") }
        intents[index].status = .succeeded
        intents[index].received = wanted
        intents[index].capturable = 0
        publish(intents[index], "payment_intent.succeeded")
        return .success(snapshot(intents[index], complete: true))
    }

    private func cancel(_ id: String) -> StripeResult<StripePaymentIntent> {
        guard let index = intents.firstIndex(where: { $0.id == id }) else { return Self.missing(id) }
        guard intents[index].status != .succeeded, intents[index].status != .canceled else { return Self.unexpectedState }
        intents[index].status = .canceled
        intents[index].capturable = 0
        publish(intents[index], "payment_intent.canceled")
        return .success(snapshot(intents[index], complete: true))
    }

    private func refund(_ params: CreateRefundParams) -> StripeResult<StripeRefund> {
        guard let intent = intent(params.paymentIntent) else { return Self.missing(params.paymentIntent) }
        guard intent.status == .succeeded, intent.received > 0 else { return Self.refusal("charge_not_refundable") }
        let left = intent.received - refunds.filter { $0.intentId == intent.id && $0.holdsMoney }.map(\.amount).reduce(0, +)
        let amount = params.amount ?? left
        guard left > 0, amount <= left else { return Self.refusal("amount_too_large") }
        let refund = ModelRefund(
            id: "re_\(refunds.count + 1)", intentId: intent.id, amount: amount,
            status: pendingRefunds && rng.chance(0.2) ? .pending : .succeeded, metadata: params.metadata)
        refunds.append(refund)
        publish(refund, "refund.created")
        return .success(snapshot(refund))
    }

    /// As Stripe answers: without its amounts when the `missingField` fault strikes a read (never a saved answer).
    private func snapshot(_ intent: Intent, complete: Bool = false) -> StripePaymentIntent {
        let lacking = !complete && rng.chance(faults.missingField)
        return StripePaymentIntent(
            id: intent.id, status: intent.status, amount: intent.amount, amountCapturable: lacking ? nil : intent.capturable,
            amountReceived: lacking ? nil : intent.received, currency: "usd", captureMethod: intent.captureMethod,
            lastPaymentError: intent.lastPaymentError, metadata: intent.metadata)
    }

    private func snapshot(_ refund: ModelRefund) -> StripeRefund {
        StripeRefund(
            id: refund.id, paymentIntent: refund.intentId, amount: refund.amount, currency: "usd", status: refund.status,
            failureReason: refund.status == .failed ? "expired_or_canceled_card" : nil, metadata: refund.metadata)
    }

    private func publish(_ intent: Intent, _ type: String) {
        eventCount += 1
        webhooks.append(WebhookNotice(
            eventId: "evt_\(eventCount)", type: type, intentId: intent.id, paymentId: intent.metadata["payment_id"], refundId: nil,
            paymentStatus: Self.paymentStatus(intent), refundStatus: nil))
    }

    private func publish(_ refund: ModelRefund, _ type: String) {
        eventCount += 1
        let status: RefundStatus? = switch refund.status {
        case .succeeded: .processed
        case .failed, .canceled: .failed
        default: nil
        }
        webhooks.append(WebhookNotice(
            eventId: "evt_\(eventCount)", type: type, intentId: refund.intentId, paymentId: refund.metadata["payment_id"],
            refundId: refund.metadata["refund_id"], paymentStatus: nil, refundStatus: status))
    }

    /// As `StripeEvent.notice` reads an intent's status.
    private static func paymentStatus(_ intent: Intent) -> PaymentStatus? {
        switch intent.status {
        case .requiresCapture: .authorized
        case .succeeded: .captured
        case .canceled: .voided
        case .requiresPaymentMethod where intent.lastPaymentError != nil: .failed
        default: nil
        }
    }

    private static func missing<T>(_ id: String) -> StripeResult<T> {
        .rejected(status: 404, StripeErrorBody(type: "invalid_request_error", code: "resource_missing", message: "No such object: \(id)"))
    }

    private static func refusal<T>(_ code: String) -> StripeResult<T> {
        .rejected(status: 400, StripeErrorBody(type: "invalid_request_error", code: code, message: "refused: \(code)"))
    }

    private static var unexpectedState: StripeResult<StripePaymentIntent> { refusal("payment_intent_unexpected_state") }

    private static func summary(_ value: Any) -> String {
        switch value {
        case let intent as StripePaymentIntent:
            "\(intent.id) \(intent.status.rawValue) capturable \(intent.amountCapturable.map(String.init) ?? "-") received \(intent.amountReceived.map(String.init) ?? "-")"
        case let intents as [StripePaymentIntent]: "[\(intents.map { summary($0) }.joined(separator: ", "))]"
        case let refund as StripeRefund: "\(refund.id) \(refund.status.rawValue) \(refund.amount) for \(refund.metadata["refund_id"] ?? "-")"
        case let refunds as [StripeRefund]: "[\(refunds.map { summary($0) }.joined(separator: ", "))]"
        default: "\(value)"
        }
    }

    private static func describe<T>(_ answer: StripeResult<T>) -> String {
        switch answer {
        case .success(let value): "success \(summary(value))"
        case .declined(let error, _): "declined \(error.code ?? "")"
        case .rejected(let status, let error): "rejected \(status) \(error.code ?? "")"
        case .retryable(let failure): "retryable \(failure.code)"
        case .unknown(let failure): "unknown \(failure.code)\(failure.replayed ? " replayed" : "")"
        }
    }
}

/// The one call of a schedule's stale runner that stalls, and the driver waiting for it.
private final class Stall {
    private var callsLeft: Int?
    private var executeFirst = false
    private var stalled: CheckedContinuation<Void, Never>?
    private var waiter: CheckedContinuation<Bool, Never>?
    private var outcome: Bool?

    func arm(_ call: Int, executeFirst: Bool) {
        callsLeft = call
        self.executeFirst = executeFirst
        outcome = nil
    }

    /// Counts a call: whether it stalls (`executeFirst`), or nil.
    func count() -> Bool? {
        guard let left = callsLeft else { return nil }
        guard left <= 1 else {
            callsLeft = left - 1
            return nil
        }
        callsLeft = nil
        return executeFirst
    }

    func stall(_ continuation: CheckedContinuation<Void, Never>) {
        stalled = continuation
        settle(true)
    }

    func wait(_ continuation: CheckedContinuation<Bool, Never>) {
        if let outcome {
            self.outcome = nil
            continuation.resume(returning: outcome)
        } else {
            waiter = continuation
        }
    }

    func ended() {
        callsLeft = nil
        settle(false)
    }

    func release() {
        stalled?.resume()
        stalled = nil
    }

    private func settle(_ value: Bool) {
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: value)
        } else if outcome == nil {
            outcome = value
        }
    }
}
