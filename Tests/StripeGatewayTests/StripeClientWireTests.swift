import Testing
@testable import StripeGateway

/// What `StripeClient` puts on the wire, checked against a scripted server.
@Suite struct StripeClientWireTests {
    static let secret = "sk_test_WIRE_SECRET_123"

    private func withClient(
        answer: @escaping @Sendable (ScriptedHTTPServer.Request) -> ScriptedHTTPServer.Behaviour,
        _ body: (StripeClient, ScriptedHTTPServer, CapturedLogs) async throws -> Void
    ) async throws {
        let server = try ScriptedHTTPServer(answer)
        let http = CurlHTTPClient(maxConcurrent: 2, connectTimeout: .seconds(2), totalTimeout: .seconds(5))
        let logs = CapturedLogs()
        defer {
            http.shutdown()
            server.stop()
        }
        let client = StripeClient(
            configuration: StripeConfiguration(secretKey: Self.secret, apiBase: "http://127.0.0.1:\(server.port)/"),
            http: http, logger: logs.logger()
        )
        try await body(client, server, logs)
    }

    private static let intentAnswer: @Sendable (ScriptedHTTPServer.Request) -> ScriptedHTTPServer.Behaviour = { _ in
        .respond(status: 200, headers: [("Request-Id", "req_wire"), ("Content-Type", "application/json")], body: StripeJSON.intent())
    }

    @Test func createSendsTheFormHeadersAndKey() async throws {
        try await withClient(answer: Self.intentAnswer) { client, server, _ in
            let result = await client.createPaymentIntent(
                CreatePaymentIntentParams(
                    amount: 1500, currency: "EUR", captureMethod: "manual",
                    metadata: ["payment_id": "p-1", "order_id": "o-1"], description: "Order #1"
                ),
                idempotencyKey: "p-1:create:1"
            )
            #expect(result.outcomeName == "success")
            let request = try #require(server.received.first)
            #expect(request.method == "POST")
            #expect(request.target == "/v1/payment_intents")
            #expect(request.headers["authorization"] == "Bearer \(Self.secret)")
            #expect(request.headers["stripe-version"] == "2024-10-28.acacia")
            #expect(request.headers["idempotency-key"] == "p-1:create:1")
            #expect(request.headers["content-type"] == "application/x-www-form-urlencoded")
            #expect(String(decoding: request.body, as: UTF8.self) == "amount=1500&capture_method=manual&currency=eur&description=Order%20%231&metadata[order_id]=o-1&metadata[payment_id]=p-1&payment_method_types[]=card")
        }
    }

    @Test func confirmCaptureCancelTargetTheIntentById() async throws {
        try await withClient(answer: Self.intentAnswer) { client, server, _ in
            _ = await client.confirmPaymentIntent(id: "pi_1", paymentMethod: "pm_card_visa", idempotencyKey: "k-confirm")
            _ = await client.capturePaymentIntent(id: "pi_1", amountToCapture: 700, idempotencyKey: "k-capture")
            _ = await client.capturePaymentIntent(id: "pi_1", amountToCapture: nil, idempotencyKey: "k-capture-all")
            _ = await client.cancelPaymentIntent(id: "pi_1", idempotencyKey: "k-cancel")
            let requests = server.received
            #expect(requests.map(\.target) == [
                "/v1/payment_intents/pi_1/confirm", "/v1/payment_intents/pi_1/capture",
                "/v1/payment_intents/pi_1/capture", "/v1/payment_intents/pi_1/cancel",
            ])
            #expect(requests.map { String(decoding: $0.body, as: UTF8.self) } == [
                "expand[]=latest_charge&expand[]=latest_charge.review&off_session=true&payment_method=pm_card_visa",
                "amount_to_capture=700", "", "",
            ])
            #expect(requests.map { $0.headers["idempotency-key"] } == ["k-confirm", "k-capture", "k-capture-all", "k-cancel"])
            #expect(requests.allSatisfy { $0.method == "POST" })
        }
    }

    @Test func readsAreGetsWithoutAnIdempotencyKey() async throws {
        let answer: @Sendable (ScriptedHTTPServer.Request) -> ScriptedHTTPServer.Behaviour = { request in
            if request.target.hasPrefix("/v1/payment_intents/search") {
                return .respond(status: 200, headers: [], body: StripeJSON.list([StripeJSON.intent()], object: "search_result"))
            }
            return .respond(status: 200, headers: [], body: StripeJSON.intent())
        }
        try await withClient(answer: answer) { client, server, _ in
            _ = await client.retrievePaymentIntent(id: "pi_1")
            let found = await client.searchPaymentIntents(metadataKey: "payment_id", value: "0b7c-it's")
            guard case .success(let intents) = found else { Issue.record("search: \(found)"); return }
            #expect(intents.map(\.id) == ["pi_1"])
            let requests = server.received
            #expect(requests.map(\.method) == ["GET", "GET"])
            #expect(requests.allSatisfy { $0.headers["idempotency-key"] == nil })
            #expect(requests.allSatisfy { $0.headers["stripe-version"] == "2024-10-28.acacia" })
            #expect(requests[0].target == "/v1/payment_intents/pi_1?expand[]=latest_charge&expand[]=latest_charge.review")
            #expect(requests[1].target == "/v1/payment_intents/search?query=metadata%5B%27payment_id%27%5D%3A%270b7c-it%5C%27s%27")
        }
    }

    @Test func refundsCreateRetrieveAndList() async throws {
        let refund = #"{"id":"re_1","object":"refund","payment_intent":"pi_1","amount":300,"currency":"usd","status":"succeeded","reason":"requested_by_customer","metadata":{"refund_id":"r-1"}}"#
        let answer: @Sendable (ScriptedHTTPServer.Request) -> ScriptedHTTPServer.Behaviour = { request in
            .respond(status: 200, headers: [], body: request.target.hasPrefix("/v1/refunds?") ? StripeJSON.list([refund]) : refund)
        }
        try await withClient(answer: answer) { client, server, _ in
            let created = await client.createRefund(
                CreateRefundParams(paymentIntent: "pi_1", amount: 300, reason: "requested_by_customer", metadata: ["refund_id": "r-1"]),
                idempotencyKey: "r-1:refund"
            )
            guard case .success(let value) = created else { Issue.record("create: \(created)"); return }
            #expect(value.metadata["refund_id"] == "r-1")
            #expect(value.status == .succeeded)
            _ = await client.retrieveRefund(id: "re_1")
            let listed = await client.listRefunds(paymentIntent: "pi_1")
            guard case .success(let refunds) = listed else { Issue.record("list: \(listed)"); return }
            #expect(refunds.map(\.id) == ["re_1"])
            let requests = server.received
            #expect(requests.map(\.target) == ["/v1/refunds", "/v1/refunds/re_1", "/v1/refunds?payment_intent=pi_1&limit=100"])
            #expect(String(decoding: requests[0].body, as: UTF8.self) == "amount=300&metadata[refund_id]=r-1&payment_intent=pi_1&reason=requested_by_customer")
            #expect(requests[0].headers["idempotency-key"] == "r-1:refund")
        }
    }

    @Test func logsTheCallButNeverTheKey() async throws {
        let answer: @Sendable (ScriptedHTTPServer.Request) -> ScriptedHTTPServer.Behaviour = { _ in
            .respond(status: 402, headers: [("Request-Id", "req_decline")], body: StripeJSON.error(type: "card_error", code: "card_declined", declineCode: "generic_decline"))
        }
        try await withClient(answer: answer) { client, _, logs in
            let result = await client.confirmPaymentIntent(id: "pi_1", paymentMethod: "pm_card_chargeDeclined", idempotencyKey: "k")
            #expect(result.outcomeName == "declined")
            let lines = logs.all
            #expect(lines.count == 1)
            let line = try #require(lines.first)
            #expect(line.contains("stripe.request_id=req_decline"))
            #expect(line.contains("stripe.status=402"))
            #expect(line.contains("stripe.path=/v1/payment_intents/pi_1/confirm"))
            #expect(line.contains("stripe.duration_ms="))
            #expect(!line.contains(Self.secret))
            #expect(!line.lowercased().contains("bearer"))
            #expect(!"\(client.configuration)".contains(Self.secret))
        }
    }

    @Test func unreachableProcessorIsRetryable() async throws {
        let server = try ScriptedHTTPServer { _ in .hang }
        let port = server.port
        server.stop()
        let http = CurlHTTPClient(maxConcurrent: 1, connectTimeout: .seconds(2), totalTimeout: .seconds(5))
        defer { http.shutdown() }
        let client = StripeClient(
            configuration: StripeConfiguration(secretKey: Self.secret, apiBase: "http://127.0.0.1:\(port)"),
            http: http, logger: CapturedLogs().logger()
        )
        let result = await client.confirmPaymentIntent(id: "pi_1", paymentMethod: "pm_card_visa", idempotencyKey: "k")
        #expect(result.outcomeName == "retryable")
    }
}
