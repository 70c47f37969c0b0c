import Hummingbird
import Payments
import Store
import Support

/// `POST /payments/authorize`, `GET /payments/{id}`, `GET /payments?cartId=`.
struct PaymentRoutes {
    let intake: PaymentIntake
    let database: Database
    let validator: AuthorizeCommandValidator
    let waiters: OutcomeWaiters

    func register(on routes: RouteTable) {
        routes.post("payments/authorize", .requires(.authorize)) { request, context in try await authorize(request, context) }
        routes.get("payments/:id", .requires(.read)) { _, context in try await show(context.parameters.get("id") ?? "") }
        routes.get("payments", .requires(.read)) { request, context in
            let query = request.uri.queryParameters
            try Self.checkListScope(query, context.caller)
            let operatorPage = query.contains { $0.key != "cartId" } || query.isEmpty && context.caller.scopes.grants(.admin)
            return try await operatorPage ? filtered(try PaymentListQuery(query)) : list(query.get("cartId"))
        }
    }

    func authorize(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let command = try validated(try await request.jsonBody())
        let key = try request.scopedIdempotencyKey(scope: context.callerScope)
        let attribution = try context.attribution(for: request)
        let outcome = try await stored { () async throws(StoreError) in try await intake.submit(command, idempotencyKey: key, by: attribution) }
        switch outcome {
        case .conflict(let reason):
            throw APIProblem(.conflict, detail: reason)
        case .created(let payment, _):
            PaymentTransitions.record(.requested)
            return try await answer(payment, created: true, wait: request.preferredWait)
        case .replayed(let payment):
            return try await answer(payment, created: false, wait: request.preferredWait)
        }
    }

    private func validated(_ body: JSONValue) throws -> AuthorizeCommand {
        switch validator.validate(body) {
        case .success(let command): return command
        case .failure(let failure): throw APIProblem.invalid(failure.errors)
        }
    }

    /// 201 with its location for a new payment, 200 for a replay; with `Prefer: wait`, the payment as it stands
    /// once settled (as the outcome's own commit left it, when this process's worker tells it) or when the wait
    /// ends, 402 when it FAILED. A new payment is REQUESTED as the intake just committed it: no first read.
    private func answer(_ payment: Payment, created: Bool, wait: Duration?) async throws -> Response {
        var current = payment
        if let wait {
            current = try await waiters.answer(for: payment.paymentId, limit: wait, initial: created ? payment : nil) {
                notice async throws(StoreError) in
                if let settled = notice?.payment, settled.status != .requested { return settled }
                return try await database.payment(id: payment.paymentId) ?? payment
            } until: { $0.status != .requested }
            if current.status == .failed {
                return JSONResponse.make(.init(code: 402, reasonPhrase: "Payment Required"), current, location: "/payments/\(current.paymentId)")
            }
        }
        return JSONResponse.make(created ? .created : .ok, current, location: created ? "/payments/\(current.paymentId)" : nil)
    }

    func show(_ id: String) async throws -> Response {
        guard Formats.isUUID(id) else { throw APIProblem(.notFound, detail: "no payment \(id.prefix(64))") }
        let payment = try await stored { () async throws(StoreError) in try await database.payment(id: id.lowercased()) }
        guard let payment else { throw APIProblem(.notFound, detail: "no payment \(id)") }
        return JSONResponse.make(.ok, payment)
    }

    /// `?cartId=` alone needs `read`; any other filter needs `admin` (a 403 before the filters are read). With no
    /// parameter at all, an admin gets the first page of every payment, any other caller a 400 (cartId required).
    static func checkListScope(_ query: Parameters, _ caller: Caller) throws(APIProblem) {
        guard query.contains(where: { $0.key != "cartId" }), !caller.scopes.grants(.admin) else { return }
        throw APIProblem.missingScope(.admin)
    }

    /// An operator's page: oldest first, with the cursor of the next page (null after the last).
    func filtered(_ query: PaymentListQuery) async throws -> Response {
        let page = try await stored { () async throws(StoreError) in
            try await database.payments(matching: query.filter, after: query.after, limit: query.limit)
        }
        let next = page.next.map { JSONString.quoted($0.description) } ?? "null"
        return JSONResponse.make(.ok, json: "{\"next\":\(next),\"payments\":[" + page.payments.map(\.json).joined(separator: ",") + "]}")
    }

    func list(_ cartId: String?) async throws -> Response {
        guard let cartId, Formats.isUUID(cartId) else {
            throw APIProblem.invalid([FieldError(parameter: "cartId", "required: the cart's UUID")])
        }
        let payments = try await stored { () async throws(StoreError) in try await database.payments(cartId: cartId.lowercased()) }
        return JSONResponse.make(.ok, payments: payments)
    }
}
