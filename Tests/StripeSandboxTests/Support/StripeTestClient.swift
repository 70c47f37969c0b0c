import Foundation
import StripeGateway
import TestSupport

/// A bare Stripe client for these tests: form-encodes, sends over the gateway's libcurl transport,
/// and hands back the raw answer, so each test can look at exactly what a client would see.
struct StripeTestClient: Sendable {
    let baseURL: String
    let http = CurlHTTPClient(maxConcurrent: 4, totalTimeout: .seconds(20))
    var apiKey: String? = SandboxHarness.apiKey

    init(_ sandbox: SandboxHarness, apiKey: String? = SandboxHarness.apiKey) {
        baseURL = sandbox.baseURL
        self.apiKey = apiKey
    }

    func post(
        _ path: String, _ params: [(String, String)] = [], idempotencyKey: String? = nil,
        headers extra: [(String, String)] = []
    ) async throws(HTTPTransportError) -> Reply {
        var headers = [("Content-Type", "application/x-www-form-urlencoded")] + extra
        if let apiKey { headers.append(("Authorization", "Bearer \(apiKey)")) }
        if let idempotencyKey { headers.append(("Idempotency-Key", idempotencyKey)) }
        let request = CurlRequest(
            method: "POST", url: baseURL + path, headers: headers, body: Array(Self.formEncode(params).utf8)
        )
        return Reply(try await http.send(request))
    }

    /// A JSON body, as `/_sandbox/faults` takes.
    func postJSON(_ path: String, _ json: String) async throws(HTTPTransportError) -> Reply {
        let request = CurlRequest(
            method: "POST", url: baseURL + path, headers: [("Content-Type", "application/json")], body: Array(json.utf8)
        )
        return Reply(try await http.send(request))
    }

    func get(_ path: String, _ params: [(String, String)] = [], headers extra: [(String, String)] = []) async throws(HTTPTransportError) -> Reply {
        var headers = extra
        if let apiKey { headers.append(("Authorization", "Bearer \(apiKey)")) }
        let query = params.isEmpty ? "" : "?" + Self.formEncode(params)
        return Reply(try await http.send(CurlRequest(method: "GET", url: baseURL + path + query, headers: headers)))
    }

    /// Creates an unconfirmed card-only intent (the service's pattern) and returns its id.
    func createIntent(
        amount: Int = 1000, currency: String = "usd", capture: String = "manual", metadata: [String: String] = [:],
        idempotencyKey: String? = nil
    ) async throws -> String {
        var params = [("amount", "\(amount)"), ("currency", currency), ("capture_method", capture), ("payment_method_types[]", "card")]
        params += metadata.sorted { $0.key < $1.key }.map { ("metadata[\($0.key)]", $0.value) }
        let reply = try await post("/v1/payment_intents", params, idempotencyKey: idempotencyKey)
        guard reply.status == 200, let id = reply.string("id") else { throw ReplyError(reply: reply) }
        return id
    }

    func confirm(_ id: String, paymentMethod: String = "pm_card_visa", idempotencyKey: String? = nil) async throws(HTTPTransportError) -> Reply {
        try await post(
            "/v1/payment_intents/\(id)/confirm", [("payment_method", paymentMethod), ("off_session", "true")],
            idempotencyKey: idempotencyKey
        )
    }

    /// A confirmed manual-capture intent: a hold (`requires_capture`).
    func heldIntent(amount: Int = 1000) async throws -> String {
        let id = try await createIntent(amount: amount, capture: "manual")
        let reply = try await confirm(id)
        guard reply.string("status") == "requires_capture" else { throw ReplyError(reply: reply) }
        return id
    }

    /// A captured (`succeeded`) intent paid with `paymentMethod`.
    func paidIntent(amount: Int = 1000, paymentMethod: String = "pm_card_visa") async throws -> String {
        let id = try await createIntent(amount: amount, capture: "automatic")
        let reply = try await confirm(id, paymentMethod: paymentMethod)
        guard reply.string("status") == "succeeded" else { throw ReplyError(reply: reply) }
        return id
    }

    /// `injected` in `GET /_sandbox/faults`: how many times each fault fired since the plan was replaced.
    func injected() async throws -> [String: Int] {
        let faults = try await get("/_sandbox/faults").json
        return (faults["injected"] as? [String: Any] ?? [:]).compactMapValues { $0 as? Int }
    }

    static func formEncode(_ params: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return params.map { key, value in
            "\(key.addingPercentEncoding(withAllowedCharacters: allowed)!)=\(value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
    }
}

/// An answer as the client got it.
struct Reply: @unchecked Sendable {
    let status: Int
    let headers: [String: String]
    let text: String
    /// The JSON object body (empty when the body is not one).
    let json: [String: Any]

    init(_ response: CurlResponse) {
        status = response.status
        headers = response.headers
        text = String(decoding: response.body, as: UTF8.self)
        json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    func string(_ key: String) -> String? { json[key] as? String }
    func int(_ key: String) -> Int? { json[key] as? Int }
    var error: [String: Any] { json["error"] as? [String: Any] ?? [:] }
    func errorField(_ key: String) -> String? { error[key] as? String }
    var requestID: String? { headers["request-id"] }
}

struct ReplyError: Error, CustomStringConvertible {
    let reply: Reply
    var description: String { "HTTP \(reply.status): \(reply.text)" }
}

extension SandboxHarness {
    /// The ledger's intent row for `id`.
    func ledgerIntent(_ id: String) async throws -> [String: Any]? {
        let intents = try await ledger()["payment_intents"] as? [[String: Any]] ?? []
        return intents.first { $0["id"] as? String == id }
    }

    func ledgerIntentCount() async throws -> Int {
        (try await ledger()["payment_intents"] as? [[String: Any]] ?? []).count
    }
}
