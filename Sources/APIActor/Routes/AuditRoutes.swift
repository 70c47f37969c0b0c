import Hummingbird
import Payments
import Store
import Support

/// `GET /audit?subject=<id>&after=<cursor>&limit=<n>`: the audit log of a payment (its refunds' rows included)
/// or of a refund, oldest first.
struct AuditRoutes {
    static let defaultLimit = 100
    static let maxLimit = 500

    let database: Database

    func register(on routes: RouteTable) {
        routes.get("audit", .requires(.admin)) { request, _ in try await page(request.uri.queryParameters) }
    }

    func page(_ query: Parameters) async throws -> Response {
        let (subject, after, limit) = try Self.parse(query)
        let records = try await stored { () async throws(StoreError) in try await database.auditLog(subject: subject, after: after, limit: limit) }
        let next = records.last.map { String($0.id) } ?? String(after ?? 0)
        let body = "{\"entries\":[" + records.map(\.json).joined(separator: ",") + "],\"next\":\(JSONString.quoted(next))}"
        return JSONResponse.make(.ok, json: body)
    }

    /// Every bad parameter named in one 400.
    static func parse(_ query: Parameters) throws(APIProblem) -> (subject: String, after: Int?, limit: Int) {
        var errors: [FieldError] = []
        let subject = query.get("subject").flatMap { Formats.isUUID($0) ? $0.lowercased() : nil }
        if subject == nil { errors.append(FieldError(parameter: "subject", "required: a payment's or a refund's id")) }
        let after = query.get("after").map { Formats.boundedInt($0, 0...Int(Int64.max)) }
        if case .some(nil) = after { errors.append(FieldError(parameter: "after", "not a cursor from this log (an entry's cursor or a page's next)")) }
        let limit = query.get("limit").map { Formats.boundedInt($0, 1...maxLimit) }
        if case .some(nil) = limit { errors.append(FieldError(parameter: "limit", "must be an integer from 1 to \(maxLimit)")) }
        guard let subject, errors.isEmpty else { throw APIProblem.invalid(errors) }
        return (subject, after ?? nil, (limit ?? nil) ?? defaultLimit)
    }
}
