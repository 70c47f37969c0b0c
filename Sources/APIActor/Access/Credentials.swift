import Crypto
import Payments
import Support

/// The accepted credentials, parsed from `PAYMENT_API_TOKENS`' entries. Empty turns authentication off
/// (sandbox mode only).
public struct Credentials: Sendable {
    let all: [Credential]

    public static let none = Credentials(all: [])

    private init(all: [Credential]) { self.all = all }

    /// An entry is `name:scope+scope…:secret` when it has at least two `:` and its middle field is `+`-joined
    /// lower-case words; those words must all be scopes. Anything else is a plain token, as before scopes existed.
    /// Errors name an entry by its position only: an entry that looks named may be an old plain token with
    /// colons in it, and its fields would be pieces of its secret.
    public init(parsing entries: [String]) throws(CredentialError) {
        var parsed: [Credential] = []
        var names: [String: Int] = [:]
        for (index, entry) in entries.enumerated() {
            let position = index + 1
            guard let named = try Self.named(entry, position: position) else {
                parsed.append(.plain(entry))
                continue
            }
            if let earlier = names.updateValue(position, forKey: named.actor) {
                throw CredentialError("entries \(earlier) and \(position) have the same credential name")
            }
            parsed.append(named)
        }
        if let (first, second) = Self.sameSecret(parsed) {
            throw CredentialError("entries \(first) and \(second) have the same secret, so which scopes it has would depend on their order")
        }
        self.init(all: parsed)
    }

    private static func sameSecret(_ credentials: [Credential]) -> (Int, Int)? {
        for (i, a) in credentials.enumerated() {
            if let j = credentials[(i + 1)...].firstIndex(where: { $0.digest == a.digest }) { return (i + 1, j + 1) }
        }
        return nil
    }

    public var isEmpty: Bool { all.isEmpty }
    public var count: Int { all.count }

    /// The names of the named credentials, in order (never a secret: for the start's log line).
    public var names: [String] { all.map(\.actor).filter { !$0.hasPrefix("token:") } }

    /// The credential whose secret is `presented`. Every entry is compared, by digest, so the time taken
    /// shows neither which one matched nor a token's content or length.
    func matching(_ presented: [UInt8]) -> Credential? {
        let digest = SHA256.hash(data: presented)
        var found: Credential?
        for credential in all where credential.digest == digest { found = credential }
        return found
    }

    private static func named(_ entry: String, position: Int) throws(CredentialError) -> Credential? {
        let fields = entry.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, isScopeList(fields[1]) else { return nil }
        let name = String(fields[0])
        var scopes: Set<Scope> = []
        for word in fields[1].split(separator: "+") {
            guard let scope = Scope(rawValue: String(word)) else {
                throw CredentialError("entry \(position) names an unknown scope (known: \(Scope.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            scopes.insert(scope)
        }
        try checkName(name, position: position)
        guard !fields[2].isEmpty else { throw CredentialError("entry \(position) has an empty secret") }
        return .named(name, scopes: scopes, secret: String(fields[2]))
    }

    private static func isScopeList(_ field: Substring) -> Bool {
        let words = field.split(separator: "+", omittingEmptySubsequences: false)
        return words.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) } }
    }

    /// A name is what the audit log and `createdBy` show and the idempotency scope of its keys: letters,
    /// digits and `-_.` only, at most 64; never of a plain token's scope's shape (32 hex digits) or `shared`, nor
    /// one of the service's own actors.
    static let reserved: Set<String> = [
        CallerScope.shared, Attribution.unauthenticated.actor, Attribution.reconciliation.actor, Attribution.expiryPolicy.actor, "processor",
    ]

    private static func checkName(_ name: String, position: Int) throws(CredentialError) {
        let allowed = name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
        guard (1...64).contains(name.utf8.count), allowed else {
            throw CredentialError("entry \(position): a credential name must be 1 to 64 letters, digits, '-', '_' or '.'")
        }
        let looksLikeDigest = name.utf8.count == 32 && Hex.decode(name) != nil
        guard !looksLikeDigest else { throw CredentialError("entry \(position): a name of 32 hex digits would share a plain token's idempotency scope") }
        guard !reserved.contains(name) else { throw CredentialError("entry \(position): the name \(name) is the service's own") }
    }
}

public struct CredentialError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }
}
