import Payments
import Foundation
import StripeGateway

/// A scripted processor for actor-level tests: each call takes the next scripted answer for its kind
/// (or a default), and every call is recorded with its idempotency key.
actor FakeStripe: StripeAPI {
    enum Call: Equatable {
        case create(key: String)
        case confirm(id: String, key: String)
        case retrieve(id: String)
        case capture(id: String, key: String)
        case cancel(id: String, key: String)
    }

    private(set) var calls: [Call] = []
    var createAnswers: [StripeResult<StripePaymentIntent>] = []
    var confirmAnswers: [StripeResult<StripePaymentIntent>] = []
    var retrieveAnswers: [StripeResult<StripePaymentIntent>] = []
    var captureAnswers: [StripeResult<StripePaymentIntent>] = []
    var cancelAnswers: [StripeResult<StripePaymentIntent>] = []
    /// The intent as the fake processor holds it.
    var intent: StripePaymentIntent?
    var defaultStatus: StripePaymentIntent.Status = .requiresCapture
    /// A confirm that takes this long; cancelled, it answers as a cut-off call does (unknown outcome).
    var confirmDelay: Duration?
    /// A create that takes this long (a stalled runner).
    var createDelay: Duration?

    func script(
        create: [StripeResult<StripePaymentIntent>] = [], confirm: [StripeResult<StripePaymentIntent>] = [],
        retrieve: [StripeResult<StripePaymentIntent>] = []
    ) {
        createAnswers = create
        confirmAnswers = confirm
        retrieveAnswers = retrieve
    }

    func scriptCapture(_ answers: [StripeResult<StripePaymentIntent>]) { captureAnswers = answers }

    func scriptCancel(_ answers: [StripeResult<StripePaymentIntent>]) { cancelAnswers = answers }

    func setIntent(_ intent: StripePaymentIntent?) { self.intent = intent }

    func setDefaultStatus(_ status: StripePaymentIntent.Status) { defaultStatus = status }

    func setConfirmDelay(_ delay: Duration) { confirmDelay = delay }

    func setCreateDelay(_ delay: Duration) { createDelay = delay }

    var confirms: [String] { calls.compactMap { if case .confirm(_, let key) = $0 { key } else { nil } } }

    static func intent(_ id: String = "pi_fake", _ status: StripePaymentIntent.Status, amount: Int = 1000) -> StripePaymentIntent {
        StripePaymentIntent(
            id: id, status: status, amount: amount, amountCapturable: status == .requiresCapture ? amount : 0,
            amountReceived: status == .succeeded ? amount : 0, currency: "usd", captureMethod: "manual")
    }

    func createPaymentIntent(_ params: CreatePaymentIntentParams, idempotencyKey: String) async -> StripeResult<StripePaymentIntent> {
        calls.append(.create(key: idempotencyKey))
        if let createDelay {
            do { try await Task.sleep(for: createDelay) } catch {
                return .unknown(StripeCallFailure(httpStatus: nil, code: "cancelled", message: "call cancelled"))
            }
        }
        if !createAnswers.isEmpty { return createAnswers.removeFirst() }
        // One intent per create key, as Stripe's idempotency makes it.
        let created = Self.intent("pi_\(idempotencyKey.prefix(8))_\(idempotencyKey.split(separator: ":").last ?? "")", .requiresPaymentMethod, amount: params.amount)
        intent = created
        return .success(created)
    }

    func confirmPaymentIntent(id: String, paymentMethod: String, offSession: Bool, idempotencyKey: String) async -> StripeResult<StripePaymentIntent> {
        calls.append(.confirm(id: id, key: idempotencyKey))
        if let confirmDelay {
            do { try await Task.sleep(for: confirmDelay) } catch {
                return .unknown(StripeCallFailure(httpStatus: nil, code: "cancelled", message: "call cancelled"))
            }
        }
        if !confirmAnswers.isEmpty { return confirmAnswers.removeFirst() }
        let confirmed = Self.intent(id, defaultStatus)
        intent = confirmed
        return .success(confirmed)
    }

    func retrievePaymentIntent(id: String) async -> StripeResult<StripePaymentIntent> {
        calls.append(.retrieve(id: id))
        if !retrieveAnswers.isEmpty { return retrieveAnswers.removeFirst() }
        return intent.map { .success($0) } ?? .rejected(status: 404, StripeErrorBody(type: "invalid_request_error", code: "resource_missing"))
    }

    /// What the search finds (eventually consistent at Stripe: empty by default).
    var searchResults: [StripePaymentIntent] = []

    func setSearchResults(_ found: [StripePaymentIntent]) { searchResults = found }

    func searchPaymentIntents(metadataKey: String, value: String) async -> StripeResult<[StripePaymentIntent]> {
        .success(searchResults.filter { $0.metadata[metadataKey] == value })
    }
    func capturePaymentIntent(id: String, amountToCapture: Int?, idempotencyKey: String) async -> StripeResult<StripePaymentIntent> {
        calls.append(.capture(id: id, key: idempotencyKey))
        if !captureAnswers.isEmpty { return captureAnswers.removeFirst() }
        return .unknown(StripeCallFailure(httpStatus: nil, code: "unscripted", message: "not scripted"))
    }
    func cancelPaymentIntent(id: String, reason: String?, idempotencyKey: String) async -> StripeResult<StripePaymentIntent> {
        calls.append(.cancel(id: id, key: idempotencyKey))
        if !cancelAnswers.isEmpty { return cancelAnswers.removeFirst() }
        return .success(Self.intent(id, .canceled))
    }
    var refundAnswers: [StripeResult<StripeRefund>] = []
    var listAnswers: [StripeResult<[StripeRefund]>] = []
    private(set) var refundKeys: [String] = []

    func scriptRefunds(create: [StripeResult<StripeRefund>], list: [StripeResult<[StripeRefund]>]) {
        refundAnswers = create
        listAnswers = list
    }

    func createRefund(_ params: CreateRefundParams, idempotencyKey: String) async -> StripeResult<StripeRefund> {
        refundKeys.append(idempotencyKey)
        if !refundAnswers.isEmpty { return refundAnswers.removeFirst() }
        return .success(StripeRefund(
            id: "re_\(refundKeys.count)", paymentIntent: params.paymentIntent, amount: params.amount ?? 0, currency: "usd",
            status: .succeeded, metadata: params.metadata))
    }
    func retrieveRefund(id: String) async -> StripeResult<StripeRefund> {
        .unknown(StripeCallFailure(httpStatus: nil, code: "unscripted", message: "not scripted"))
    }
    func listRefunds(paymentIntent: String) async -> StripeResult<[StripeRefund]> {
        if !listAnswers.isEmpty { return listAnswers.removeFirst() }
        return .success([])
    }
    var disputeAnswers: [StripeResult<StripeDispute>] = []
    func retrieveDispute(id: String) async -> StripeResult<StripeDispute> {
        if !disputeAnswers.isEmpty { return disputeAnswers.removeFirst() }
        return .unknown(StripeCallFailure(httpStatus: nil, code: "unscripted", message: "not scripted"))
    }
}
