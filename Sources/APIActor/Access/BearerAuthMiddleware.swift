import Crypto
import Hummingbird
import Support

/// The bearer check of protected routes. It is attached to the routes themselves (`RouteTable`), so it runs only
/// for a request that resolved to a protected route, whatever the spelling of its path: 401 without a known
/// credential, then 403 naming the scope the route needs and the credential lacks. With no credentials
/// configured (sandbox mode only) authentication is off and every caller has every scope.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let credentials: Credentials
    /// Nil: any known credential (the 405 answers of a path whose methods need different scopes).
    let requires: Scope?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.caller = try caller(of: request)
        if let requires, !context.caller.scopes.grants(requires) {
            throw APIProblem.missingScope(requires)
        }
        return try await next(request, context)
    }

    private func caller(of request: Request) throws(APIProblem) -> Caller {
        guard !credentials.isEmpty else { return .unauthenticated }
        guard let presented = request.headers[.authorization].flatMap(Self.bearerToken) else {
            throw Self.challenge("a bearer token is required (Authorization: Bearer <token>)")
        }
        guard let credential = credentials.matching(presented) else { throw Self.challenge("unknown bearer token") }
        return Caller(credential)
    }

    /// A 401 with the scheme it asks for (RFC 9110 §11.6.1).
    static func challenge(_ detail: String) -> APIProblem {
        APIProblem(.unauthorized, detail: detail, headers: [.wwwAuthenticate: "Bearer"])
    }

    /// The token of `Bearer <token>` (RFC 9110 §11.1: the scheme name is case-insensitive, then one or more
    /// spaces); nil for any other scheme or an empty token.
    static func bearerToken(_ header: String) -> [UInt8]? {
        let bytes = Array(header.utf8)
        let scheme = Array("bearer".utf8)
        guard bytes.count > scheme.count, zip(bytes, scheme).allSatisfy({ $0 | 0x20 == $1 }),
            bytes[scheme.count] == UInt8(ascii: " ")
        else { return nil }
        let token = bytes[scheme.count...].drop(while: { $0 == UInt8(ascii: " ") })
        return token.isEmpty ? nil : Array(token)
    }
}

extension APIProblem {
    /// 403 naming the scope (RFC 6750 §3.1's `insufficient_scope`).
    static func missingScope(_ scope: Scope) -> APIProblem {
        APIProblem(
            .forbidden, detail: "this credential lacks the scope \(scope.rawValue)",
            headers: [.wwwAuthenticate: "Bearer error=\"insufficient_scope\", scope=\"\(scope.rawValue)\""])
    }
}

/// Idempotency scopes: a key is only ever matched within the scope of the caller that made it.
enum CallerScope {
    static let shared = "shared"

    /// The scope of a plain token: a digest of it, never the token. The digest is taken over the canonical
    /// header `Bearer <token>`, which is what the scope was before the scheme became case-insensitive, so a key
    /// stored before an upgrade is still recognised after it.
    static func of(token: String) -> String {
        Hex.encode(SHA256.hash(data: Array("Bearer \(token)".utf8)).prefix(16))
    }
}
