import Foundation
import Hummingbird

/// An RFC 9457 problem: every error the API answers, as `application/problem+json`.
public struct APIProblem: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var title: String
    public var detail: String
    public var errors: [FieldError]
    /// Seconds, for 503 answers.
    public var retryAfter: Int?
    /// Header fields the answer carries besides the problem (`Allow` on a 405, `WWW-Authenticate` on a 401).
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, title: String? = nil, detail: String, errors: [FieldError] = [], retryAfter: Int? = nil,
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.title = title ?? status.reasonPhrase
        self.detail = detail
        self.errors = errors
        self.retryAfter = retryAfter
        self.headers = headers
    }

    static func invalid(_ errors: [FieldError]) -> APIProblem {
        APIProblem(.badRequest, title: "Invalid request", detail: "\(errors.count) invalid field(s)", errors: errors)
    }

    /// No `Retry-After`: a generic client retrying an unkeyed refund on its own could refund twice.
    static let outcomeUnknown = APIProblem(
        .serviceUnavailable,
        detail: "the database connection broke while the request was being committed: it may or may not be recorded. Retry with the same Idempotency-Key, or read the resource (GET /payments/{id}, GET /payments/{id}/refunds) to find out")

    static let unavailable = APIProblem(
        .serviceUnavailable, detail: "the payments database is unreachable; nothing was recorded, retry later", retryAfter: 2)

    func response() -> Response {
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        let body = Body(
            type: "about:blank", title: title, status: Int(status.code), detail: detail,
            errors: errors.isEmpty ? nil : errors)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(body)) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    private struct Body: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String
        var errors: [FieldError]?
    }
}
