import Logging
import Telemetry

/// `StripeAPI` over HTTP with libcurl. Every request carries the Bearer key and `Stripe-Version`;
/// every POST an `Idempotency-Key`. Each call is logged once (method, path, status, Stripe's
/// `Request-Id`, idempotency key, duration); the `Authorization` header is never logged.
///
/// An actor owning what the calls share: the rate limit (`STRIPE_MAX_RPS`, a `TokenBucket`), the
/// concurrency bound (at most `maxInFlight` calls on the wire, later ones wait in FIFO order) and the call
/// metrics. Only admission, release and recording touch that state; building a request, sending it and
/// decoding the answer run in `nonisolated` code, so calls do not queue behind one another's JSON.
public actor StripeClient: StripeAPI {
    public nonisolated let configuration: StripeConfiguration
    /// Every answer tells whether the processor still accepts the key.
    public nonisolated let credentials: CredentialStatus
    private nonisolated let transport: any HTTPTransport
    private nonisolated let logger: Logger
    private nonisolated let clock: any GatewayClock
    /// `STRIPE_MAX_RPS`: every call takes its token before it is sent; nil is no limit.
    private var bucket: TokenBucket?
    private var slots: CallSlots<CheckedContinuation<Bool, Never>>
    private var nextWaiter: UInt64 = 0
    private var metrics = StripeCallMetrics()

    /// `http` is shared and owned by the caller (who shuts it down). `maxRequestsPerSecond` (> 0, nil: no
    /// limit) paces every call, with a burst of one second's worth after a quiet spell; `maxInFlight` bounds
    /// the calls on the wire at once.
    public init(
        configuration: StripeConfiguration, http: CurlHTTPClient, logger: Logger, maxRequestsPerSecond: Int? = nil,
        maxInFlight: Int = 4, credentials: CredentialStatus = CredentialStatus()
    ) {
        self.init(
            configuration: configuration, transport: http, logger: logger, maxRequestsPerSecond: maxRequestsPerSecond,
            maxInFlight: maxInFlight, credentials: credentials)
    }

    /// Over any transport and clock: unit tests pass fakes.
    init(
        configuration: StripeConfiguration, transport: any HTTPTransport, logger: Logger, maxRequestsPerSecond: Int? = nil,
        maxInFlight: Int = 4, credentials: CredentialStatus = CredentialStatus(), clock: any GatewayClock = SystemGatewayClock()
    ) {
        self.configuration = configuration
        self.transport = transport
        self.logger = logger
        self.credentials = credentials
        self.clock = clock
        bucket = maxRequestsPerSecond.map { TokenBucket(rate: Double($0), burst: Double($0)) }
        slots = CallSlots(limit: maxInFlight)
    }

    public nonisolated func createPaymentIntent(_ params: CreatePaymentIntentParams, idempotencyKey: String) async -> StripeResult<StripePaymentIntent> {
        var form: [String: FormValue] = [
            "amount": .integer(params.amount),
            "currency": .string(params.currency.lowercased()),
            "capture_method": .string(params.captureMethod),
            "payment_method_types": .list(["card"]),
            "metadata": .map(params.metadata.mapValues(FormValue.string)),
        ]
        if let description = params.description {
            form["description"] = .string(description)
        }
        return await post("/v1/payment_intents", form: form, idempotencyKey: idempotencyKey)
    }

    /// The charge and its review come expanded, so Radar's word arrives with the intent (no second call).
    static let intentExpansions = ["latest_charge", "latest_charge.review"]

    public nonisolated func confirmPaymentIntent(
        id: String, paymentMethod: String, offSession: Bool, idempotencyKey: String
    ) async -> StripeResult<StripePaymentIntent> {
        var form: [String: FormValue] = ["payment_method": .string(paymentMethod), "expand": .list(Self.intentExpansions.map(FormValue.string))]
        if offSession { form["off_session"] = .bool(true) }
        return await post("/v1/payment_intents/\(segment(id))/confirm", form: form, idempotencyKey: idempotencyKey)
    }

    public nonisolated func retrievePaymentIntent(id: String) async -> StripeResult<StripePaymentIntent> {
        let expand = Self.intentExpansions.map { "expand[]=\(FormEncoder.percentEncode($0))" }.joined(separator: "&")
        return await get("/v1/payment_intents/\(segment(id))?\(expand)")
    }

    public nonisolated func searchPaymentIntents(metadataKey: String, value: String) async -> StripeResult<[StripePaymentIntent]> {
        let query = "metadata['\(Self.searchLiteral(metadataKey))']:'\(Self.searchLiteral(value))'"
        let result: StripeResult<StripeList<StripePaymentIntent>> =
            await get("/v1/payment_intents/search?query=\(FormEncoder.percentEncode(query))")
        return result.map(\.data)
    }

    public nonisolated func capturePaymentIntent(id: String, amountToCapture: Int?, idempotencyKey: String) async -> StripeResult<StripePaymentIntent> {
        var form: [String: FormValue] = [:]
        if let amountToCapture {
            form["amount_to_capture"] = .integer(amountToCapture)
        }
        return await post("/v1/payment_intents/\(segment(id))/capture", form: form, idempotencyKey: idempotencyKey)
    }

    public nonisolated func cancelPaymentIntent(id: String, reason: String?, idempotencyKey: String) async -> StripeResult<StripePaymentIntent> {
        let form: [String: FormValue] = reason.map { ["cancellation_reason": .string($0)] } ?? [:]
        return await post("/v1/payment_intents/\(segment(id))/cancel", form: form, idempotencyKey: idempotencyKey)
    }

    public nonisolated func createRefund(_ params: CreateRefundParams, idempotencyKey: String) async -> StripeResult<StripeRefund> {
        var form: [String: FormValue] = [
            "payment_intent": .string(params.paymentIntent),
            "metadata": .map(params.metadata.mapValues(FormValue.string)),
        ]
        if let amount = params.amount {
            form["amount"] = .integer(amount)
        }
        if let reason = params.reason {
            form["reason"] = .string(reason)
        }
        return await post("/v1/refunds", form: form, idempotencyKey: idempotencyKey)
    }

    public nonisolated func retrieveRefund(id: String) async -> StripeResult<StripeRefund> {
        await get("/v1/refunds/\(segment(id))")
    }

    public nonisolated func retrieveDispute(id: String) async -> StripeResult<StripeDispute> {
        await get("/v1/disputes/\(segment(id))")
    }

    public nonisolated func listRefunds(paymentIntent: String) async -> StripeResult<[StripeRefund]> {
        await listRefunds(paymentIntent: paymentIntent, pageSize: 100)
    }

    /// Every refund of the intent, page after page while `has_more` says more follow (newest first). A list
    /// longer than `maxPages` pages is an unknown outcome: deciding on part of it could miss a refund.
    nonisolated func listRefunds(paymentIntent: String, pageSize: Int, maxPages: Int = 100) async -> StripeResult<[StripeRefund]> {
        var refunds: [StripeRefund] = []
        var after: String?
        for _ in 0..<maxPages {
            let page: StripeResult<StripeList<StripeRefund>> = await get(
                "/v1/refunds?payment_intent=\(FormEncoder.percentEncode(paymentIntent))&limit=\(pageSize)"
                    + (after.map { "&starting_after=\(FormEncoder.percentEncode($0))" } ?? ""))
            guard case .success(let list) = page else { return page.map(\.data) }
            refunds += list.data
            guard list.hasMore, let last = list.data.last else { return .success(refunds) }
            after = last.id
        }
        return .unknown(StripeCallFailure(
            httpStatus: nil, code: "too_many_pages", message: "more than \(maxPages) pages of refunds for \(paymentIntent)"))
    }

    // MARK: - Requests

    nonisolated func get<Value: Decodable & Sendable>(_ pathAndQuery: String) async -> StripeResult<Value> {
        await perform(CurlRequest(method: "GET", url: configuration.apiBase + pathAndQuery, headers: baseHeaders()), path: pathAndQuery)
    }

    private nonisolated func post<Value: Decodable & Sendable>(
        _ path: String, form: [String: FormValue], idempotencyKey: String
    ) async -> StripeResult<Value> {
        var headers = baseHeaders()
        headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        headers.append(("Idempotency-Key", idempotencyKey))
        let request = CurlRequest(
            method: "POST", url: configuration.apiBase + path, headers: headers, body: FormEncoder.encodeBytes(form)
        )
        return await perform(request, path: path, idempotencyKey: idempotencyKey)
    }

    private nonisolated func baseHeaders() -> [(String, String)] {
        [
            ("Authorization", "Bearer \(configuration.secretKey)"),
            ("Stripe-Version", StripeConfiguration.apiVersion),
            ("Accept", "application/json"),
            ("User-Agent", "payment-service-stripe-gateway/1.0"),
        ]
    }

    /// One call: admission, the transport, then (off the actor) the classification and the log line. Traced as
    /// the span `stripe <method> <path template>`, with the idempotency key and Stripe's `Request-Id`; the wait
    /// for admission is inside it.
    private nonisolated func perform<Value: Decodable & Sendable>(
        _ request: CurlRequest, path: String, idempotencyKey: String? = nil
    ) async -> StripeResult<Value> {
        await Traces.span("stripe \(request.method) \(StripeCallMetrics.template(path))", kind: .client) { span in
            let admitted = await admit()
            let start = clock.now
            let outcome = admitted ? await send(request) : .failure(.notSent(code: "cancelled", message: "cancelled before sending"))
            let result = StripeClassifier.classify(outcome, as: Value.self)
            credentials.note(status: try? outcome.get().status)
            let duration = clock.now - start
            StripeCallLog.log(
                logger, method: request.method, path: path, idempotencyKey: idempotencyKey,
                outcome: outcome, result: result, duration: duration
            )
            StripeCallLog.annotate(span, path: path, idempotencyKey: idempotencyKey, outcome: outcome, result: result)
            await record(method: request.method, path: path, outcome: result.outcomeName, duration: duration)
            return result
        }
    }

    /// Sends on a slot taken by `admit`, and gives the slot back as soon as the answer (or its absence) is in.
    private nonisolated func send(_ request: CurlRequest) async -> Result<CurlResponse, HTTPTransportError> {
        let outcome: Result<CurlResponse, HTTPTransportError>
        do {
            outcome = .success(try await transport.send(request))
        } catch {
            outcome = .failure(error)
        }
        await release()
        return outcome
    }

    /// Waits for a slot, then for a rate token, both in arrival order; false (holding nothing) when the
    /// caller is cancelled first: its call then fails as not sent. The token's wait is slept off the actor.
    private nonisolated func admit() async -> Bool {
        guard let sendAt = await takeSlotAndToken() else { return false }
        guard sendAt > clock.now else { return true }
        do {
            try await clock.sleep(until: sendAt)
            return true
        } catch {
            await release()
            return false
        }
    }

    /// One path segment; ids are `pi_…`/`re_…`, but nothing a caller passes may bend the path.
    private nonisolated func segment(_ id: String) -> String { FormEncoder.percentEncode(id) }

    /// Stripe's search query language quotes strings with `'` and escapes with `\`.
    static func searchLiteral(_ text: String) -> String {
        text.replacingBackslashesAndQuotes()
    }
}

// MARK: - Admission

/// What `StripeClient`'s calls share: the slots, the rate token and the metrics, touched on the actor only.
extension StripeClient {
    /// A slot (waiting for one in FIFO order), then the instant its rate token comes: now when one is in hand.
    /// Nil when the caller was cancelled while waiting for the slot: it then holds none. Taking the token
    /// only once the slot is held keeps sends spaced at the rate, however long slots are held.
    private func takeSlotAndToken() async -> ContinuousClock.Instant? {
        guard await takeSlot() else { return nil }
        let now = clock.now
        return now + (bucket?.reserve(at: now) ?? .zero)
    }

    /// Hands the slot to the longest waiter, or frees it.
    private func release() {
        slots.release()?.resume(returning: true)
    }

    private func record(method: String, path: String, outcome: String, duration: Duration) {
        metrics.record(method: method, path: path, outcome: outcome, duration: duration)
    }

    /// What the calls so far counted, by operation and outcome.
    var callMetrics: [StripeCallMetrics.Key: StripeCallMetrics.Series] { metrics.snapshot }

    /// Calls holding a slot (on the wire, or waiting for their rate token).
    var inFlight: Int { slots.inUse }

    /// Calls waiting for a slot.
    var waitingForSlot: Int { slots.waitingCount }

    private func takeSlot() async -> Bool {
        if slots.take() { return true }
        let id = nextWaiter
        nextWaiter += 1
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                guard !Task.isCancelled else { return continuation.resume(returning: false) }
                slots.enqueue(id, continuation)
            }
        } onCancel: {
            Task { await self.leaveQueue(id) }
        }
    }

    /// A cancelled waiter leaves the queue without a slot; one already given its slot keeps it.
    private func leaveQueue(_ id: UInt64) {
        slots.remove(id)?.resume(returning: false)
    }
}

extension String {
    fileprivate func replacingBackslashesAndQuotes() -> String {
        var out = ""
        for character in self {
            if character == "\\" || character == "'" { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
