import Foundation
import Hummingbird
import NIOCore

/// `/_sandbox/*`: no auth, no faults. The ledger, the fault plan and its counts, failing a refund,
/// completing a 3-D Secure challenge, closing a review, and reset; the clock, disputes, the Dashboard's
/// changes and lost events are in `SandboxAdminRoutes+Scenarios.swift`.
struct SandboxAdminRoutes: Sendable {
    let state: SandboxState
    let faults: FaultInjector
    let idempotency: IdempotencyStore
    /// What `reset` returns the fault plan to: the one the sandbox started with.
    let startPlan: FaultPlan

    func register(on router: Router<SandboxRequestContext>) {
        router.get("/_sandbox/ledger") { _, _ in
            StripeReply(json: await state.ledger()).response(requestID: StripeID.request())
        }
        router.post("/_sandbox/reset") { _, _ in
            await state.reset()
            await idempotency.reset()
            await faults.replace(startPlan)
            await faults.dropEvents(0)
            return StripeReply(json: ["reset": true]).response(requestID: StripeID.request())
        }
        router.get("/_sandbox/faults") { _, _ in
            try Self.planResponse(await faults.report)
        }
        router.post("/_sandbox/faults") { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 16)
            let plan: FaultPlan
            do {
                plan = try JSONDecoder().decode(FaultPlan.self, from: Data(buffer: body))
            } catch {
                throw StripeError.invalidRequest("Invalid fault plan: \(error)")
            }
            if let problem = plan.problem { throw StripeError.invalidRequest("Invalid fault plan: \(problem)") }
            await faults.replace(plan)
            return try Self.planResponse(await faults.report)
        }
        router.post("/_sandbox/refunds/:id/fail") { _, context in
            let id = try context.parameters.require("id")
            return StripeReply(json: try await state.failRefund(id)).response(requestID: StripeID.request())
        }
        router.post("/_sandbox/payment_intents/:id/authenticate") { request, context in
            let id = try context.parameters.require("id")
            let outcome = try await AdminBody.read(request).required("outcome", among: ["succeed", "fail"])
            let intent = try await state.authenticate(id, succeeded: outcome == "succeed")
            return StripeReply(json: intent).response(requestID: StripeID.request())
        }
        router.post("/_sandbox/reviews/:id/close") { request, context in
            let id = try context.parameters.require("id")
            let reason = try await AdminBody.read(request).required("reason", among: Review.closedReasons)
            return StripeReply(json: try await state.closeReview(id, reason: reason)).response(requestID: StripeID.request())
        }
        registerScenarios(on: router)
    }

    private static func planResponse(_ report: FaultReport) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(report)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
