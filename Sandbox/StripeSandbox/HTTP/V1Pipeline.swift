import Hummingbird
import NIOCore

/// Every `/v1` request goes through these steps, in this order:
/// 1. auth (401, also the `unauthorized` fault) and rate limit (429): rejected before executing,
///    nothing saved;
/// 2. `drop_before` / `error_before` faults: nothing executed, nothing saved;
/// 3. parameters decoded; a POST with `Idempotency-Key` claims its key (replay, 400 on different
///    parameters, 409 while the first is in flight);
/// 4. added latency; then either `error_after_noop` (a 500 the key saves, with nothing executed) or
///    the resource route (validation errors release the key, unsaved; a `refuse` refusal is an
///    executed answer, saved);
/// 5. `error_after` turns an executed answer into a 500, which is what the key saves;
/// 6. `drop_after` closes the connection once the answer is saved; `unreadable_2xx` sends an
///    executed 2xx answer without its `status` (the key has saved the true one; replays are sent as
///    saved).
struct V1Pipeline: Sendable {
    let routes: APIRoutes
    let faults: FaultInjector
    let idempotency: IdempotencyStore

    /// How an answer came about: only an executed one is saved under the key, and the faults of step 6
    /// depend on it.
    enum Outcome: Sendable { case executed, rejected, replayed }

    static let maxBodySize = 1 << 20

    func handle(_ request: Request, context: SandboxRequestContext) async throws -> Response {
        let requestID = StripeID.request()
        do {
            let apiKey = try Authenticator.apiKey(from: request.headers)
            let faults = await self.faults.decideRequest()
            if let dropped = try await rejectBeforeExecuting(faults, apiKey: apiKey, context: context) { return dropped }
            let call = try await Self.decode(request)

            guard call.method == .post, let key = request.headers[.idempotencyKey] else {
                let (reply, outcome) = await execute(call, faults, requestID: requestID)
                return await finish(reply, outcome, faults: faults, requestID: requestID, context: context)
            }
            guard !key.isEmpty, key.count <= 255 else {
                throw StripeError.invalidRequest(
                    "Invalid idempotency key: must be between 1 and 255 characters.", param: "Idempotency-Key"
                )
            }
            let scope = IdempotencyStore.Scope(apiKey: apiKey, key: key)
            switch await idempotency.claim(scope, fingerprint: call.fingerprint) {
            case .replay(let saved):
                try? await Task.sleep(for: faults.latency)
                return await finish(StripeReply(replaying: saved), .replayed, faults: faults, requestID: requestID, context: context)
            case .differentParameters:
                throw StripeError(
                    status: 400, type: "idempotency_error",
                    message: "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '\(key)' if you meant to execute a different request."
                )
            case .inFlight:
                throw StripeError(
                    status: 409, type: "invalid_request_error", code: "idempotency_key_in_use",
                    message: "There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): \(key). Please try again later.",
                    headers: [("Stripe-Should-Retry", "true")]
                )
            case .execute:
                let (reply, outcome) = await execute(call, faults, requestID: requestID)
                if outcome == .executed {
                    await idempotency.finish(scope, with: SavedResponse(status: reply.status, body: reply.body, requestID: requestID))
                } else {
                    await idempotency.release(scope)
                }
                return await finish(reply, outcome, faults: faults, requestID: requestID, context: context)
            }
        } catch let error as StripeError {
            return StripeReply(error, requestID: requestID).response(requestID: requestID)
        }
    }

    /// Steps 1 and 2: a fault that rejects the request (thrown) or drops its connection (the
    /// placeholder returned); nil lets it go on.
    private func rejectBeforeExecuting(
        _ faults: RequestFaults, apiKey: String, context: SandboxRequestContext
    ) async throws(StripeError) -> Response? {
        if faults.unauthorized {
            await fired(.unauthorized, faults)
            throw .invalidAPIKey(apiKey)
        }
        if faults.rateLimited {
            await fired(.rateLimit, faults)
            throw .rateLimited
        }
        if faults.dropBefore {
            await fired(.dropBefore, faults)
            return await ConnectionDrop.close(context.channel)
        }
        if faults.errorBefore {
            await fired(.errorBefore, faults)
            throw .apiError(phase: .validation)
        }
        return nil
    }

    /// Runs the call; `.executed` when it began executing (only then is its answer saved).
    private func execute(_ call: APICall, _ faults: RequestFaults, requestID: String) async -> (StripeReply, Outcome) {
        try? await Task.sleep(for: faults.latency)
        if faults.errorAfterNoop {
            await fired(.errorAfterNoop, faults)
            return (StripeReply(.apiError(phase: .execution), requestID: requestID), .executed)
        }
        var call = call
        call.refused = call.refusable.map(faults.refused.contains) ?? false
        var reply: StripeReply
        var outcome = Outcome.executed
        do {
            reply = StripeReply(json: try await routes.respond(to: call))
        } catch {
            reply = StripeReply(error, requestID: requestID)
            outcome = error.phase == .execution ? .executed : .rejected
            if let fault = error.fault { await fired(fault, faults) }
        }
        if outcome == .executed && faults.errorAfter {
            await fired(.errorAfter, faults)
            reply = StripeReply(.apiError(phase: .execution), requestID: requestID)
        }
        return (reply, outcome)
    }

    private func finish(
        _ reply: StripeReply, _ outcome: Outcome, faults: RequestFaults, requestID: String, context: SandboxRequestContext
    ) async -> Response {
        if outcome != .rejected && faults.dropAfter {
            await fired(.dropAfter, faults)
            return await ConnectionDrop.close(context.channel)
        }
        if outcome == .executed && faults.unreadable2xx, let unreadable = reply.withoutStatus {
            await fired(.unreadable2xx, faults)
            return unreadable.response(requestID: requestID)
        }
        return reply.response(requestID: requestID)
    }

    private func fired(_ fault: InjectedFault, _ faults: RequestFaults) async {
        await self.faults.record(fault, generation: faults.generation)
    }

    private static func decode(_ request: Request) async throws -> APICall {
        let method: APICall.Method
        switch request.method {
        case .get: method = .get
        case .post: method = .post
        case .delete: method = .delete
        default: throw StripeError.unrecognizedURL(method: request.method.rawValue, path: request.uri.path)
        }
        let path = request.uri.path.split(separator: "/").dropFirst().map(String.init)
        let text: String
        if method == .post {
            var request = request
            let body = try await request.collectBody(upTo: maxBodySize)
            text = String(buffer: body)
        } else {
            text = request.uri.query ?? ""
        }
        return APICall(method: method, path: path, params: try FormParams(urlEncoded: text[...]))
    }
}
