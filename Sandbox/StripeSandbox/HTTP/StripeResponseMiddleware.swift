import HTTPTypes
import Hummingbird

/// Outside `/v1` handling: every response gets a `Request-Id`, and errors thrown by handlers
/// (unknown routes, bad `/_sandbox` input) answer in Stripe's error shape.
struct StripeResponseMiddleware: RouterMiddleware {
    typealias Context = SandboxRequestContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response: Response
        let errorID = StripeID.request()
        do {
            response = try await next(request, context)
        } catch let error as StripeError {
            response = StripeReply(error, requestID: errorID).response(requestID: errorID)
        } catch let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed {
            let error = StripeError.unrecognizedURL(method: request.method.rawValue, path: request.uri.path)
            response = StripeReply(error, requestID: errorID).response(requestID: errorID)
        }
        let requestID = HTTPField.Name.requestID
        if response.headers[requestID] == nil { response.headers[requestID] = StripeID.request() }
        return response
    }
}
