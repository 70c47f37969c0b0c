import Hummingbird
import NIOCore

/// Every `/v1` request goes through these steps, in this order:
/// 1. auth (401) and rate limit (429): rejected before executing, nothing saved;
/// 2. `drop_before` / `error_before` faults: nothing executed, nothing saved;
/// 3. parameters decoded; a POST with `Idempotency-Key` claims its key (replay, 400 on different
///    parameters, 409 while the first is in flight);
/// 4. added latency, then the resource route (validation errors release the key, unsaved);
/// 5. `error_after` turns an executed answer into a 500, which is what the key saves;
/// 6. `drop_after` closes the connection once the true answer is saved.
struct V1Pipeline: Sendable {
    let routes: APIRoutes
    let faults: FaultInjector
    let idempotency: IdempotencyStore

    static let maxBodySize = 1 << 20

    func handle(_ request: Request, context: SandboxRequestContext) async throws -> Response {
        let requestID = StripeID.request()
        do {
            let apiKey = try Authenticator.apiKey(from: request.headers)
            let faults = await self.faults.decideRequest()
            if faults.rateLimited { throw StripeError.rateLimited }
            if faults.dropBefore { return await ConnectionDrop.close(context.channel) }
            if faults.errorBefore { throw StripeError.apiError(phase: .validation) }
            let call = try await Self.decode(request)

            guard call.method == .post, let key = request.headers[.idempotencyKey] else {
                let (reply, executed) = await execute(call, faults)
                return await finish(reply, executed: executed, faults: faults, requestID: requestID, context: context)
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
                return await finish(StripeReply(replaying: saved), executed: true, faults: faults, requestID: requestID, context: context)
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
                let (reply, executed) = await execute(call, faults)
                if executed {
                    await idempotency.finish(scope, with: SavedResponse(status: reply.status, body: reply.body, requestID: requestID))
                } else {
                    await idempotency.release(scope)
                }
                return await finish(reply, executed: executed, faults: faults, requestID: requestID, context: context)
            }
        } catch let error as StripeError {
            return StripeReply(error).response(requestID: requestID)
        }
    }

    /// Runs the call; `executed` tells whether it got past validation (only then is it saved).
    private func execute(_ call: APICall, _ faults: RequestFaults) async -> (StripeReply, executed: Bool) {
        try? await Task.sleep(for: faults.latency)
        var reply: StripeReply
        var executed = true
        do {
            reply = StripeReply(json: try await routes.respond(to: call))
        } catch {
            reply = StripeReply(error)
            executed = error.phase == .execution
        }
        if executed && faults.errorAfter { reply = StripeReply(.apiError(phase: .execution)) }
        return (reply, executed)
    }

    private func finish(
        _ reply: StripeReply, executed: Bool, faults: RequestFaults, requestID: String, context: SandboxRequestContext
    ) async -> Response {
        if executed && faults.dropAfter { return await ConnectionDrop.close(context.channel) }
        return reply.response(requestID: requestID)
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
