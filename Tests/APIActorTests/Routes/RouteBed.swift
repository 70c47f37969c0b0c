import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Payments
import Store
import Testing
import TestSupport
@testable import APIActor

/// What a route answered, read out of HummingbirdTesting's response.
struct RouteAnswer: Sendable {
    let status: Int
    let headers: HTTPFields
    let body: [UInt8]

    init(_ response: TestResponse) {
        status = Int(response.status.code)
        headers = response.headers
        body = Array(response.body.readableBytesView)
    }

    var contentType: String? { headers[.contentType] }
    var text: String { String(decoding: body, as: UTF8.self) }
    var object: [String: Any] { ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]) ?? [:] }
    func string(_ key: String) -> String? { object[key] as? String }

    /// This answer as a case for the OpenAPI check, as the answer of `method` on the documented `template`.
    func documented(_ method: String, _ template: String) -> OpenAPICase {
        .answer(method, template, status: status, contentType: contentType, body: body)
    }

    /// An `application/problem+json` answer with `status` (RFC 9457 members present), whose `errors` name `field`
    /// (a body pointer such as `/amount`, or a parameter or header name) when one is given.
    func expectProblem(_ status: Int, naming field: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(self.status == status, "\(self.status) \(text)", sourceLocation: sourceLocation)
        #expect(contentType == "application/problem+json", sourceLocation: sourceLocation)
        let problem = object
        #expect(problem["type"] as? String == "about:blank", "\(text)", sourceLocation: sourceLocation)
        #expect((problem["title"] as? String)?.isEmpty == false, "\(text)", sourceLocation: sourceLocation)
        #expect(problem["status"] as? Int == status, "\(text)", sourceLocation: sourceLocation)
        #expect(problem["detail"] is String, "\(text)", sourceLocation: sourceLocation)
        guard let field else { return }
        let named = (problem["errors"] as? [[String: Any]] ?? []).map { ($0["pointer"] ?? $0["parameter"]) as? String }
        #expect(named.contains(field), "\(field) not named in \(text)", sourceLocation: sourceLocation)
    }
}

/// The API's real router (`PaymentAPI.makeRoutes`) over a fresh, migrated database, driven in process by
/// HummingbirdTesting: no socket and no binary. No worker runs, so an authorization stays REQUESTED until a
/// test moves its payment with SQL, as the worker would have.
struct RouteBed: Sendable {
    static let token = "route-test-token"
    static let webhookSecret = "whsec_route_tests"

    let db: TestDatabase
    let client: any TestClientProtocol

    static func configuration(
        tokens: [String] = [token], metrics: @escaping @Sendable () async -> [UInt8] = { Array("up 1\n".utf8) },
        processorStatus: @escaping @Sendable () -> String = { "ok" }, webhookAllowPrivate: Bool = false
    ) -> APIConfiguration {
        APIConfiguration(
            credentials: try! Credentials(parsing: tokens), defaultPaymentMethod: "pm_card_visa", webhookSecrets: [webhookSecret], metrics: metrics,
            processorStatus: processorStatus, webhookAllowPrivate: webhookAllowPrivate)
    }

    /// Runs `body` against the router over its own database.
    static func run(
        _ configuration: APIConfiguration = configuration(), events: EventSignal = EventSignal(), _ body: @Sendable (RouteBed) async throws -> Void
    ) async throws {
        let db = try await TestDatabase.create(poolSize: 2)
        let routes = PaymentAPI.makeRoutes(
            configuration: configuration, database: db.database, intake: PaymentIntake(database: db.database),
            events: events)
        do {
            try await Application(router: routes.router).test(.router) { client in try await body(RouteBed(db: db, client: client)) }
        } catch {
            await db.database.shutdown()
            throw error
        }
        await db.database.shutdown()
    }

    /// Sends a request with the bearer token (nil: none) and, when `json` is given, `Content-Type: application/json`.
    func send(
        _ method: HTTPRequest.Method, _ path: String, json: String? = nil, token: String? = RouteBed.token, headers: HTTPFields = [:]
    ) async throws -> RouteAnswer {
        var fields = headers
        if let token { fields[.authorization] = "Bearer \(token)" }
        if json != nil, fields[.contentType] == nil { fields[.contentType] = "application/json" }
        return RouteAnswer(try await client.executeRequest(uri: path, method: method, headers: fields, body: json.map { ByteBuffer(string: $0) }))
    }

    func get(_ path: String, token: String? = RouteBed.token, headers: HTTPFields = [:]) async throws -> RouteAnswer {
        try await send(.get, path, token: token, headers: headers)
    }

    func post(_ path: String, json: String?, token: String? = RouteBed.token, headers: HTTPFields = [:]) async throws -> RouteAnswer {
        try await send(.post, path, json: json, token: token, headers: headers)
    }

    static func newId() -> String { UUID().uuidString.lowercased() }

    /// `template` (one `{…}` id in it) answers 404 for an unknown id and for one that is no UUID, and 401 for
    /// any id without a token (the token is checked first). Returns the 404 of the unknown id.
    func expectUnknownIsNotFound(
        _ method: HTTPRequest.Method, _ template: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> RouteAnswer {
        func path(_ id: String) -> String { template.replacing(/\{[A-Za-z]+\}/, with: id) }
        let missing = try await send(method, path(Self.newId()))
        missing.expectProblem(404, sourceLocation: sourceLocation)
        try await send(method, path("not-a-uuid")).expectProblem(404, sourceLocation: sourceLocation)
        try await send(method, path(Self.newId()), token: nil).expectProblem(401, sourceLocation: sourceLocation)
        return missing
    }

    /// An AuthorizePayment body; `extra` is appended inside the object (`,"capture":"automatic"`).
    static func command(cart: String = newId(), amount: Int = 1000, extra: String = "") -> String {
        #"{"cartId":"\#(cart)","amount":\#(amount),"currency":"USD"\#(extra)}"#
    }

    /// A new payment (201), REQUESTED, its authorization queued and never sent.
    func authorize(cart: String = newId(), amount: Int = 1000, extra: String = "") async throws -> String {
        let answer = try await post("/payments/authorize", json: Self.command(cart: cart, amount: amount, extra: extra))
        #expect(answer.status == 201, "\(answer.text)")
        return try #require(answer.string("paymentId"))
    }

    /// Ends the payment's authorization as the worker would: sent, done, and the payment `status` with the intent
    /// recorded (`captured` of it taken when CAPTURED; a decline when FAILED).
    func settle(_ paymentId: String, as status: PaymentStatus, captured: Int = 0) async throws {
        try await markDispatched(paymentId, done: true)
        let failed = status == .failed
        let reason: String? = failed ? "CARD_DECLINED" : nil
        let declineCode: String? = failed ? "generic_decline" : nil
        _ = try await db.column(
            """
            UPDATE payments SET status = \(status.rawValue), amount_captured = \(captured)::bigint,
                processor_reference = 'pi_' || replace(id::text, '-', ''), failure_reason = \(reason), decline_code = \(declineCode),
                updated_at = clock_timestamp()
            WHERE id = \(paymentId)::uuid
            """)
    }

    /// The authorization's first processor call recorded (`done`: and its answer too).
    func markDispatched(_ paymentId: String, done: Bool = false) async throws {
        _ = try await db.column(
            """
            UPDATE operations SET dispatched_at = clock_timestamp(), status = CASE WHEN \(done) THEN 'done' ELSE status END
            WHERE payment_id = \(paymentId)::uuid AND kind = 'authorize'
            """)
    }

    /// Holds answers of `method` on the documented `template` against `openapi.json`.
    static func expectDocumented(
        _ method: String, _ template: String, _ answers: [RouteAnswer], sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        try expectDocumented(answers.map { $0.documented(method, template) }, sourceLocation: sourceLocation)
    }

    /// Holds every case against `openapi.json` in one run of the validator.
    static func expectDocumented(_ cases: [OpenAPICase], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try OpenAPISchemaCheck.run(cases)
        #expect(result.failure == nil, "\(result.failure ?? "")", sourceLocation: sourceLocation)
    }
}
