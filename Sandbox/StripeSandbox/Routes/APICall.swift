/// One `/v1` request, decoded: what the resource routes work from.
struct APICall: Sendable {
    enum Method: String, Sendable { case get = "GET", post = "POST", delete = "DELETE" }

    var method: Method
    /// Path segments after `/v1`: `["payment_intents", "pi_…", "confirm"]`.
    var path: [String]
    var params: FormParams
    /// The `refuse` fault drawn for this call: if the operation would succeed, it is refused instead.
    var refused = false

    /// The operation the `refuse` fault applies to, when this call is one.
    var refusable: FaultPlan.Operation? {
        switch (method, path.first, path.count) {
        case (.post, "payment_intents", 3) where path[2] == "capture": .capture
        case (.post, "payment_intents", 3) where path[2] == "cancel": .cancel
        case (.post, "refunds", 1): .refund
        default: nil
        }
    }

    var fingerprint: String { "\(method.rawValue) /v1/\(path.joined(separator: "/")) \(params.fingerprint)" }
}

/// Dispatches a `/v1` call to its resource.
struct APIRoutes: Sendable {
    let state: SandboxState
    let faults: FaultInjector

    func respond(to call: APICall) async throws(StripeError) -> JSONValue {
        let answer: JSONValue?
        switch call.path.first {
        case "payment_intents": answer = try await intentCall(call)
        case "refunds": answer = try await refundCall(call)
        case "charges", "reviews", "disputes": answer = try await chargeCall(call)
        default: answer = nil
        }
        guard let answer else {
            throw .unrecognizedURL(method: call.method.rawValue, path: "/v1/" + call.path.joined(separator: "/"))
        }
        return answer
    }

    /// nil: no such route.
    private func intentCall(_ call: APICall) async throws(StripeError) -> JSONValue? {
        let intents = PaymentIntentRoutes(state: state, faults: faults)
        switch (call.method, call.path.count, call.path.last) {
        case (.post, 1, _): return try await intents.create(call.params)
        case (.get, 1, _): return try await intents.list(call.params)
        case (.get, 2, "search"): return try await intents.search(call.params)
        case (.get, 2, _): return try await intents.retrieve(call.path[1], call.params)
        case (.post, 3, "confirm"): return try await intents.confirm(call.path[1], call.params)
        case (.post, 3, "capture"): return try await intents.capture(call.path[1], call.params, refused: call.refused)
        case (.post, 3, "cancel"): return try await intents.cancel(call.path[1], call.params, refused: call.refused)
        default: return nil
        }
    }

    private func refundCall(_ call: APICall) async throws(StripeError) -> JSONValue? {
        let refunds = RefundRoutes(state: state)
        switch (call.method, call.path.count) {
        case (.post, 1): return try await refunds.create(call.params, refused: call.refused)
        case (.get, 1): return try await refunds.list(call.params)
        case (.get, 2): return try await refunds.retrieve(call.path[1], call.params)
        default: return nil
        }
    }

    private func chargeCall(_ call: APICall) async throws(StripeError) -> JSONValue? {
        guard call.method == .get else { return nil }
        let routes = ChargeRoutes(state: state)
        switch (call.path[0], call.path.count) {
        case ("disputes", 1): return try await routes.listDisputes(call.params)
        case (_, 2): return try await routes.retrieve(call.path[0], call.path[1], call.params)
        default: return nil
        }
    }
}

extension FormParams {
    /// `limit` for lists and searches: 1…100, default 10.
    func limit() throws(StripeError) -> Int {
        let limit = try int("limit") ?? 10
        guard (1...100).contains(limit) else {
            throw .invalidRequest("This value must be between 1 and 100 (it currently is \(limit)).", param: "limit")
        }
        return limit
    }
}
