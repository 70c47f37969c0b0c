import Foundation
import StripeGateway

/// Calls the Payment API over real HTTP (libcurl) and decodes JSON answers loosely, for assertions.
public struct APIClient: Sendable {
    public struct Answer: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: [UInt8]

        public var text: String { String(decoding: body, as: UTF8.self) }

        /// The body as a JSON object (empty when it is not one).
        public var json: [String: Any] {
            ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]) ?? [:]
        }

        public func string(_ key: String) -> String? { json[key] as? String }
        public func int(_ key: String) -> Int? { json[key] as? Int }
    }

    public let baseURL: String
    public let token: String?
    private let http: CurlHTTPClient

    public init(baseURL: String, token: String? = nil, http: CurlHTTPClient = CurlHTTPClient(maxConcurrent: 8, totalTimeout: .seconds(60))) {
        self.baseURL = baseURL
        self.token = token
        self.http = http
    }

    public func get(_ path: String, headers: [(String, String)] = []) async throws -> Answer {
        try await send("GET", path, body: nil, headers: headers)
    }

    public func post(_ path: String, json: String?, headers: [(String, String)] = []) async throws -> Answer {
        try await send("POST", path, body: json.map { Array($0.utf8) }, headers: [("Content-Type", "application/json")] + headers)
    }

    public func send(_ method: String, _ path: String, body: [UInt8]?, headers: [(String, String)]) async throws -> Answer {
        var all = headers
        if let token { all.append(("Authorization", "Bearer \(token)")) }
        let response = try await http.send(CurlRequest(method: method, url: baseURL + path, headers: all, body: body ?? []))
        return Answer(status: response.status, headers: response.headers, body: response.body)
    }
}

/// Builds an AuthorizePayment body; every call gets a fresh cart unless one is given.
public func authorizeBody(
    cartId: String = UUID().uuidString.lowercased(), amount: Int = 4999, currency: String = "USD",
    paymentMethod: String? = nil, capture: String? = nil, extra: String = ""
) -> String {
    var fields = ["\"cartId\":\"\(cartId)\"", "\"customerId\":\"\(UUID().uuidString.lowercased())\"", "\"amount\":\(amount)", "\"currency\":\"\(currency)\""]
    if let paymentMethod { fields.append("\"paymentMethod\":\"\(paymentMethod)\"") }
    if let capture { fields.append("\"capture\":\"\(capture)\"") }
    if !extra.isEmpty { fields.append(extra) }
    return "{" + fields.joined(separator: ",") + "}"
}
