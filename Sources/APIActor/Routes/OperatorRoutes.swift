import Hummingbird
import Payments
import Store
import Support

/// The operator's actions (the `admin` scope): `GET /operations`, `POST /operations/{id}/retry` and
/// `POST /payments/{id}/sync`. The filtered `GET /payments` is `PaymentRoutes.list`.
struct OperatorRoutes {
    let database: Database
    let intake: PaymentIntake

    func register(on routes: RouteTable) {
        routes.get("operations", .requires(.admin)) { request, _ in try await operations(request.uri.queryParameters) }
        routes.post("operations/:id/retry", .requires(.admin)) { request, context in try await retry(request, context) }
        routes.post("payments/:id/sync", .requires(.admin)) { request, context in try await sync(request, context) }
    }

    func operations(_ query: Parameters) async throws -> Response {
        let query = try OperationListQuery(query)
        let page = try await stored { () async throws(StoreError) in
            try await database.operations(in: query.states, after: query.after, limit: query.limit)
        }
        let next = page.last.map { String($0.id) } ?? String(query.after ?? 0)
        return JSONResponse.make(.ok, json: "{\"next\":\(JSONString.quoted(next)),\"operations\":[" + page.map(\.json).joined(separator: ",") + "]}")
    }

    func retry(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let text = context.parameters.get("id") ?? ""
        guard let id = Formats.boundedInt(text, 1...Int(Int64.max)) else { throw APIProblem(.notFound, detail: "no operation \(text.prefix(64))") }
        _ = try BodyFields(try await request.optionalJSONBody(), allowed: [])
        let by = try context.attribution(for: request)
        let outcome = try await stored { () async throws(StoreError) in try await database.retryOperation(id: id, by: by) }
        return try answer(outcome, missing: "no operation \(id)")
    }

    func sync(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let text = context.parameters.get("id") ?? ""
        guard Formats.isUUID(text) else { throw APIProblem(.notFound, detail: "no payment \(text.prefix(64))") }
        _ = try BodyFields(try await request.optionalJSONBody(), allowed: [])
        let by = try context.attribution(for: request)
        let outcome = try await stored { () async throws(StoreError) in try await database.requestSync(paymentId: text.lowercased(), by: by) }
        return try answer(outcome, missing: "no payment \(text)")
    }

    /// 202 with the operation now queued (handed to this process's worker), 200 when done at once.
    private func answer(_ outcome: LifecycleOutcome, missing: String) throws -> Response {
        switch outcome {
        case .notFound: throw APIProblem(.notFound, detail: missing)
        case .conflict(let reason): throw APIProblem(.conflict, detail: reason)
        case .done(let payment): return JSONResponse.make(.ok, json: "{\"operationId\":null,\"payment\":\(payment.json)}")
        case .queued(let payment, let operationId):
            intake.handOff(operationId)
            return JSONResponse.make(.accepted, json: "{\"operationId\":\(operationId),\"payment\":\(payment.json)}")
        }
    }
}
