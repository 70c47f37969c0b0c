import Crypto
import Payments
import Support

/// One accepted bearer credential: a named one (`name:scope+scope…:secret`) or a plain token, which has every
/// scope. Only the secret's digest is kept.
public struct Credential: Sendable {
    let digest: SHA256.Digest
    let scopes: Set<Scope>
    /// Who it is in `createdBy`, operations' actor and the audit log: its name, or `token:<8 hex of its digest>`.
    let actor: String
    /// The scope its idempotency keys live in: a named credential's name (so rotating its secret keeps a client's
    /// keys valid); a plain token's digest, as before names existed (`CallerScope.of(token:)`).
    let idempotencyScope: String

    static func named(_ name: String, scopes: Set<Scope>, secret: String) -> Credential {
        Credential(digest: SHA256.hash(data: Array(secret.utf8)), scopes: scopes, actor: name, idempotencyScope: name)
    }

    static func plain(_ token: String) -> Credential {
        let digest = SHA256.hash(data: Array(token.utf8))
        return Credential(
            digest: digest, scopes: Set(Scope.allCases), actor: "token:" + Hex.encode(digest.prefix(4)),
            idempotencyScope: CallerScope.of(token: token))
    }
}

/// Who is calling, as the bearer check found them: what the routes read from the request context.
struct Caller: Sendable {
    var scopes: Set<Scope>
    var actor: String
    var idempotencyScope: String

    /// Authentication off (sandbox mode only): every scope, one shared idempotency scope.
    static let unauthenticated = Caller(
        scopes: Set(Scope.allCases), actor: Attribution.unauthenticated.actor, idempotencyScope: CallerScope.shared)

    init(scopes: Set<Scope>, actor: String, idempotencyScope: String) {
        self.scopes = scopes
        self.actor = actor
        self.idempotencyScope = idempotencyScope
    }

    init(_ credential: Credential) {
        self.init(scopes: credential.scopes, actor: credential.actor, idempotencyScope: credential.idempotencyScope)
    }
}
