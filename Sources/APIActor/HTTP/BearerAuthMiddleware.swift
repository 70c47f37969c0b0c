import Crypto
import Hummingbird
import Support

/// The bearer-token check of protected routes. It is attached to the routes themselves (`RouteTable`), so it
/// runs only for a request that resolved to a protected route, whatever the spelling of its path. Tokens are
/// compared by their SHA-256 digests, which compare in constant time (neither a token's content nor its length
/// shows in the timing); with none configured (sandbox mode only) authentication is off.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    private let tokens: [(digest: SHA256.Digest, scope: String)]

    init(tokens: [String]) {
        self.tokens = tokens.map { (SHA256.hash(data: Array($0.utf8)), CallerScope.of(token: $0)) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !tokens.isEmpty else { return try await next(request, context) }
        guard let presented = request.headers[.authorization].flatMap(Self.bearerToken) else {
            throw Self.challenge("a bearer token is required (Authorization: Bearer <token>)")
        }
        let digest = SHA256.hash(data: presented)
        var scope: String?
        for token in tokens where token.digest == digest { scope = token.scope }
        guard let scope else { throw Self.challenge("unknown bearer token") }
        var context = context
        context.callerScope = scope
        return try await next(request, context)
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

/// Idempotency scopes: a key is only ever matched within the scope of the caller that made it.
enum CallerScope {
    static let shared = "shared"

    /// The scope of a token: a digest of it, never the token. The digest is taken over the canonical header
    /// `Bearer <token>`, which is what the scope was before the scheme became case-insensitive, so a key
    /// stored before an upgrade is still recognised after it.
    static func of(token: String) -> String {
        Hex.encode(SHA256.hash(data: Array("Bearer \(token)".utf8)).prefix(16))
    }
}
