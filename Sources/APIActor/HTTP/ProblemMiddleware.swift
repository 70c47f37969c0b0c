import Hummingbird
import Logging

/// Renders every error as problem+json: the API's own problems, the router's (404, 405, 413) and, as a last
/// resort, anything unexpected as a 500 that names no internals.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as APIProblem {
            return problem.response()
        } catch let error as any HTTPResponseError {
            return APIProblem(error.status, detail: Self.detail(for: error.status)).response()
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(error)"])
            return APIProblem(.internalServerError, detail: "an unexpected error occurred; nothing is known to be recorded").response()
        }
    }

    static func detail(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "no such resource"
        case .methodNotAllowed: "method not allowed on this resource"
        case .contentTooLarge: "the body is larger than 16 KiB"
        default: status.reasonPhrase
        }
    }
}
