import Hummingbird
import StripeGateway

/// Bearer tokens on `/payments*`, `/refunds*` and `/events*`, compared in constant time. With no tokens
/// configured (sandbox mode only) authentication is off.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    static var protectedPrefixes: [String] { ["/payments", "/refunds", "/events"] }

    let tokens: [[UInt8]]

    init(tokens: [String]) {
        self.tokens = tokens.map { Array($0.utf8) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !tokens.isEmpty, Self.protectedPrefixes.contains(where: { request.uri.path.hasPrefix($0) }) else {
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw APIProblem(.unauthorized, detail: "a bearer token is required (Authorization: Bearer <token>)")
        }
        let presented = Array(header.utf8.dropFirst("Bearer ".utf8.count))
        var matched = false
        for token in tokens where ConstantTime.equals(token, presented) { matched = true }
        guard matched else { throw APIProblem(.unauthorized, detail: "unknown bearer token") }
        return try await next(request, context)
    }
}

enum CallerScope {
    /// The idempotency scope of a request: a digest of its token, never the token itself.
    static func of(_ request: Request) -> String {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return "shared" }
        return SHA256.hash(Array(header.utf8)).prefix(16).map { String($0, radix: 16).leftPadded(2) }.joined()
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
