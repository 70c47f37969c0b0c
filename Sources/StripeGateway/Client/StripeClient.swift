import Logging

/// `StripeAPI` over HTTP with libcurl. Every request carries the Bearer key and `Stripe-Version`;
/// every POST an `Idempotency-Key`. Each call is logged once (method, path, status, Stripe's
/// `Request-Id`, duration); the key and the `Authorization` header are never logged.
public struct StripeClient: StripeAPI {
    public let configuration: StripeConfiguration
    private let http: CurlHTTPClient
    private let logger: Logger
    /// `STRIPE_MAX_RPS`: every call waits for its token before it is sent; nil is no limit.
    private let rateLimiter: RateLimiter?
    /// Every answer tells whether the processor still accepts the key.
    public let credentials: CredentialStatus

    /// `http` is shared and owned by the caller (who shuts it down). `rateLimiter` paces every call.
    public init(
        configuration: StripeConfiguration, http: CurlHTTPClient, logger: Logger, rateLimiter: RateLimiter? = nil,
        credentials: CredentialStatus = CredentialStatus()
    ) {
        self.configuration = configuration
        self.http = http
        self.logger = logger
        self.rateLimiter = rateLimiter
        self.credentials = credentials
    }

    public func createPaymentIntent(_ params: CreatePaymentIntentParams, idempotencyKey: String) async -> StripeResult<StripePaymentIntent> {
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

    public func confirmPaymentIntent(id: String, paymentMethod: String, idempotencyKey: String) async -> StripeResult<StripePaymentIntent> {
        await post(
            "/v1/payment_intents/\(segment(id))/confirm",
            form: ["payment_method": .string(paymentMethod), "off_session": .bool(true)],
            idempotencyKey: idempotencyKey
        )
    }

    public func retrievePaymentIntent(id: String) async -> StripeResult<StripePaymentIntent> {
        await get("/v1/payment_intents/\(segment(id))")
    }

    public func searchPaymentIntents(metadataKey: String, value: String) async -> StripeResult<[StripePaymentIntent]> {
        let query = "metadata['\(Self.searchLiteral(metadataKey))']:'\(Self.searchLiteral(value))'"
        let result: StripeResult<StripeList<StripePaymentIntent>> =
            await get("/v1/payment_intents/search?query=\(FormEncoder.percentEncode(query))")
        return result.map(\.data)
    }

    public func capturePaymentIntent(id: String, amountToCapture: Int?, idempotencyKey: String) async -> StripeResult<StripePaymentIntent> {
        var form: [String: FormValue] = [:]
        if let amountToCapture {
            form["amount_to_capture"] = .integer(amountToCapture)
        }
        return await post("/v1/payment_intents/\(segment(id))/capture", form: form, idempotencyKey: idempotencyKey)
    }

    public func cancelPaymentIntent(id: String, idempotencyKey: String) async -> StripeResult<StripePaymentIntent> {
        await post("/v1/payment_intents/\(segment(id))/cancel", form: [:], idempotencyKey: idempotencyKey)
    }

    public func createRefund(_ params: CreateRefundParams, idempotencyKey: String) async -> StripeResult<StripeRefund> {
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

    public func retrieveRefund(id: String) async -> StripeResult<StripeRefund> {
        await get("/v1/refunds/\(segment(id))")
    }

    public func listRefunds(paymentIntent: String) async -> StripeResult<[StripeRefund]> {
        await listRefunds(paymentIntent: paymentIntent, pageSize: 100)
    }

    /// Every refund of the intent, page after page while `has_more` says more follow (newest first). A list
    /// longer than `maxPages` pages is an unknown outcome: deciding on part of it could miss a refund.
    func listRefunds(paymentIntent: String, pageSize: Int, maxPages: Int = 100) async -> StripeResult<[StripeRefund]> {
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

    private func get<Value: Decodable & Sendable>(_ pathAndQuery: String) async -> StripeResult<Value> {
        await perform(CurlRequest(method: "GET", url: configuration.apiBase + pathAndQuery, headers: baseHeaders()), path: pathAndQuery)
    }

    private func post<Value: Decodable & Sendable>(
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

    private func baseHeaders() -> [(String, String)] {
        [
            ("Authorization", "Bearer \(configuration.secretKey)"),
            ("Stripe-Version", StripeConfiguration.apiVersion),
            ("Accept", "application/json"),
            ("User-Agent", "payment-service-stripe-gateway/1.0"),
        ]
    }

    private func perform<Value: Decodable & Sendable>(
        _ request: CurlRequest, path: String, idempotencyKey: String? = nil
    ) async -> StripeResult<Value> {
        await rateLimiter?.acquire()
        let clock = ContinuousClock()
        let start = clock.now
        let outcome: Result<CurlResponse, HTTPTransportError>
        do {
            outcome = .success(try await http.send(request))
        } catch {
            outcome = .failure(error)
        }
        let result = StripeClassifier.classify(outcome, as: Value.self)
        credentials.note(status: try? outcome.get().status)
        StripeCallLog.log(
            logger, method: request.method, path: path, idempotencyKey: idempotencyKey,
            outcome: outcome, result: result, duration: clock.now - start
        )
        return result
    }

    /// One path segment; ids are `pi_…`/`re_…`, but nothing a caller passes may bend the path.
    private func segment(_ id: String) -> String { FormEncoder.percentEncode(id) }

    /// Stripe's search query language quotes strings with `'` and escapes with `\`.
    static func searchLiteral(_ text: String) -> String {
        text.replacingBackslashesAndQuotes()
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
