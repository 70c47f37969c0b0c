import Foundation
import Hummingbird
import Payments
import Store

/// Capture, void and refunds (`contract.md`, "Capture, void, refunds"): each queued durably for the worker.
struct LifecycleRoutes {
    let database: Database
    let intake: PaymentIntake
    let waiters: OutcomeWaiters

    func register(on routes: RouteTable) {
        routes.post("payments/:id/capture", .requires(.capture)) { request, context in try await capture(request, context) }
        routes.post("payments/:id/void", .requires(.void)) { request, context in try await void(request, context) }
        routes.post("payments/:id/refunds", .requires(.refund)) { request, context in try await refund(request, context) }
        routes.get("payments/:id/refunds", .requires(.read)) { _, context in try await listRefunds(context.parameters.get("id") ?? "") }
        routes.get("refunds/:id", .requires(.read)) { _, context in try await showRefund(context.parameters.get("id") ?? "") }
    }

    func capture(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let paymentId = try Self.paymentId(context)
        let body = try await request.optionalJSONBody()
        let fields = try BodyFields(body, allowed: ["amount"])
        let amount = try fields.positiveAmount("amount")
        let by = try context.attribution(for: request)
        let outcome = try await stored { () async throws(StoreError) in try await database.requestCapture(paymentId: paymentId, amount: amount, by: by) }
        return try await answer(outcome, request: request, paymentId: paymentId, asked: .captured)
    }

    func void(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let paymentId = try Self.paymentId(context)
        _ = try BodyFields(try await request.optionalJSONBody(), allowed: [])
        let by = try context.attribution(for: request)
        let outcome = try await stored { () async throws(StoreError) in try await database.requestVoid(paymentId: paymentId, by: by) }
        return try await answer(outcome, request: request, paymentId: paymentId, asked: .voided)
    }

    func refund(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let paymentId = try Self.paymentId(context)
        let fields = try BodyFields(try await request.optionalJSONBody(), allowed: ["amount", "reason"])
        let amount = try fields.positiveAmount("amount")
        let reason = try fields.reason()
        let key = try request.scopedIdempotencyKey(scope: context.callerScope)
        let by = try context.attribution(for: request)
        let outcome = try await stored { () async throws(StoreError) in
            try await database.requestRefund(
                paymentId: paymentId, amount: amount, reason: reason, newRefundId: UUID().uuidString.lowercased(), idempotencyKey: key, by: by)
        }
        switch outcome {
        case .notFound: throw APIProblem(.notFound, detail: "no payment \(paymentId)")
        case .conflict(let reason): throw APIProblem(.conflict, detail: reason)
        case .replayed(let refund):
            return JSONResponse.make(.ok, try await waited(refund, request), location: "/refunds/\(refund.refundId)")
        case .created(let refund, let operationId):
            intake.handOff(operationId)
            return JSONResponse.make(.created, try await waited(refund, request), location: "/refunds/\(refund.refundId)")
        }
    }

    /// A payment's refunds, newest first: how a caller without an Idempotency-Key finds out what happened.
    func listRefunds(_ id: String) async throws -> Response {
        let paymentId = try Self.paymentId(id)
        let refunds = try await stored { () async throws(StoreError) in try await database.refunds(paymentId: paymentId) }
        guard let refunds else { throw APIProblem(.notFound, detail: "no payment \(paymentId)") }
        return JSONResponse.make(.ok, refunds: refunds)
    }

    func showRefund(_ id: String) async throws -> Response {
        guard Formats.isUUID(id) else { throw APIProblem(.notFound, detail: "no refund \(id.prefix(64))") }
        let refund = try await stored { () async throws(StoreError) in try await database.refund(id: id.lowercased()) }
        guard let refund else { throw APIProblem(.notFound, detail: "no refund \(id)") }
        return JSONResponse.make(.ok, refund)
    }

    /// 202 while queued, 200 once done (also when it finished within `Prefer: wait`), and only when the
    /// payment is in the state that was asked for: an attempt the processor refused answers 202 with the
    /// refusal in `lastError` (asking again starts a new attempt).
    private func answer(_ outcome: LifecycleOutcome, request: Request, paymentId: String, asked: PaymentStatus) async throws -> Response {
        switch outcome {
        case .notFound: throw APIProblem(.notFound, detail: "no payment \(paymentId)")
        case .conflict(let reason): throw APIProblem(.conflict, detail: reason)
        case .done(let payment): return JSONResponse.make(.ok, payment)
        case .queued(let payment, let operationId):
            intake.handOff(operationId)
            guard let wait = request.preferredWait else { return JSONResponse.make(.accepted, payment) }
            let ended = try await waiters.answer(for: paymentId, limit: wait) { notice async throws(StoreError) in
                try await ending(operationId, of: payment, told: notice)
            } until: { $0 != nil }
            if let ended { return JSONResponse.make(ended.status == asked ? .ok : .accepted, ended) }
            let current = try await stored { () async throws(StoreError) in try await database.payment(id: paymentId) } ?? payment
            return JSONResponse.make(.accepted, current)
        }
    }

    /// The payment once its operation has ended (nil while it is queued): as the end's own commit left it when
    /// the notice is of that end, else read.
    private func ending(_ operationId: Int, of payment: Payment, told notice: OutcomeNotice?) async throws(StoreError) -> Payment? {
        if notice?.operationId == operationId, let ended = notice?.payment { return ended }
        guard try await database.operationFinished(id: operationId) else { return nil }
        return try await database.payment(id: payment.paymentId) ?? payment
    }

    private func waited(_ refund: Refund, _ request: Request) async throws -> Refund {
        guard let wait = request.preferredWait, refund.status == .requested else { return refund }
        return try await waiters.answer(for: refund.paymentId, limit: wait) { _ async throws(StoreError) in
            try await database.refund(id: refund.refundId) ?? refund
        } until: { $0.status != .requested }
    }

    private static func paymentId(_ context: APIRequestContext) throws(APIProblem) -> String {
        try paymentId(context.parameters.get("id") ?? "")
    }

    private static func paymentId(_ id: String) throws(APIProblem) -> String {
        guard Formats.isUUID(id) else { throw APIProblem(.notFound, detail: "no payment \(id.prefix(64))") }
        return id.lowercased()
    }
}
