import Hummingbird

/// What tests make happen around the service: time passing, disputes moving, changes made in the
/// Dashboard behind its back, and webhook deliveries lost for good.
extension SandboxAdminRoutes {
    /// What `POST /_sandbox/disputes/{id}/status` accepts (a dispute is never moved back to its first status).
    static let disputeMoves: [Dispute.Status] = [.underReview, .warningUnderReview, .won, .lost, .warningClosed, .prevented]

    func registerScenarios(on router: Router<SandboxRequestContext>) {
        registerClock(on: router)
        registerDisputes(on: router)
        registerDashboard(on: router)
        registerEventDrops(on: router)
    }

    private func registerClock(on router: Router<SandboxRequestContext>) {
        router.get("/_sandbox/clock") { _, _ in Self.answer(await state.clock) }
        router.post("/_sandbox/clock") { request, _ in
            let text = try await AdminBody.read(request).text("advance")
            guard let seconds = ISODuration.seconds(text) else {
                throw StripeError.invalidRequest(
                    "Invalid advance: \(text). Give an ISO 8601 duration in days, hours, minutes and seconds, such as P8D, PT12H or P4DT18H.",
                    param: "advance"
                )
            }
            return Self.answer(await state.advanceClock(by: seconds))
        }
    }

    private func registerDisputes(on router: Router<SandboxRequestContext>) {
        router.post("/_sandbox/disputes/:id/status") { request, context in
            let id = try context.parameters.require("id")
            let status = try await AdminBody.read(request).required("status", among: Self.disputeMoves.map(\.rawValue))
            return Self.answer(try await state.moveDispute(id, to: Dispute.Status(rawValue: status)!))
        }
        router.post("/_sandbox/disputes/:id/funds") { request, context in
            let id = try context.parameters.require("id")
            let direction = try await AdminBody.read(request).required("direction", among: ["withdrawn", "reinstated"])
            return Self.answer(try await state.moveDisputeFunds(id, withdrawn: direction == "withdrawn"))
        }
    }

    private func registerDashboard(on router: Router<SandboxRequestContext>) {
        router.post("/_sandbox/payment_intents/:id/refund") { request, context in
            let id = try context.parameters.require("id")
            let amount = try await AdminBody.read(request).int("amount", in: 1...Int.max)
            return Self.answer(try await state.dashboardRefund(id, amount: amount))
        }
        router.post("/_sandbox/payment_intents/:id/cancel") { _, context in
            let id = try context.parameters.require("id")
            return Self.answer(try await state.cancelPaymentIntent(id, reason: "requested_by_customer"))
        }
    }

    /// The next `count` events (default 1) are created as usual but never delivered, not even retried.
    private func registerEventDrops(on router: Router<SandboxRequestContext>) {
        router.get("/_sandbox/events/drop-next") { _, _ in Self.answer(["remaining": .int(await faults.eventsToDrop)]) }
        router.post("/_sandbox/events/drop-next") { request, _ in
            let count = try await AdminBody.read(request).int("count", in: 0...1_000_000) ?? 1
            await faults.dropEvents(count)
            return Self.answer(["remaining": .int(count)])
        }
    }

    private static func answer(_ json: JSONValue) -> Response {
        StripeReply(json: json).response(requestID: StripeID.request())
    }
}
