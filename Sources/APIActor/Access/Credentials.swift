import Crypto
import Support

/// The accepted credentials, parsed from `PAYMENT_API_TOKENS`' entries. Empty turns authentication off
/// (sandbox mode only).
public struct Credentials: Sendable {
    let all: [Credential]

    public static let none = Credentials(all: [])

    private init(all: [Credential]) { self.all = all }

    /// An entry is `name:scope+scope…:secret` when it has at least two `:` and its middle field is `+`-joined
    /// lower-case words; those words must all be scopes. Anything else is a plain token, as before scopes existed.
    public init(parsing entries: [String]) throws(CredentialError) {
        var parsed: [Credential] = []
        var names: Set<String> = []
        for entry in entries {
            guard let named = try Self.named(entry) else {
                parsed.append(.plain(entry))
                continue
            }
            guard names.insert(named.actor).inserted else { throw CredentialError("the credential name \(named.actor) is given twice") }
            parsed.append(named)
        }
        self.init(all: parsed)
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

    private static func named(_ entry: String) throws(CredentialError) -> Credential? {
        let fields = entry.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, isScopeList(fields[1]) else { return nil }
        let name = String(fields[0])
        var scopes: Set<Scope> = []
        for word in fields[1].split(separator: "+") {
            guard let scope = Scope(rawValue: String(word)) else {
                throw CredentialError("the credential \(name) names an unknown scope \(word) (known: \(Scope.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            scopes.insert(scope)
        }
        try checkName(name)
        guard !fields[2].isEmpty else { throw CredentialError("the credential \(name) has an empty secret") }
        return .named(name, scopes: scopes, secret: String(fields[2]))
    }

    private static func isScopeList(_ field: Substring) -> Bool {
        let words = field.split(separator: "+", omittingEmptySubsequences: false)
        return words.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) } }
    }

    /// A name is what the audit log and `createdBy` show and the idempotency scope of its keys: letters,
    /// digits and `-_.` only, at most 64, and never of a plain token's scope's shape (32 hex digits) or `shared`.
    private static func checkName(_ name: String) throws(CredentialError) {
        let allowed = name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
        guard (1...64).contains(name.utf8.count), allowed else {
            throw CredentialError("a credential name must be 1 to 64 letters, digits, '-', '_' or '.' (got \(name.prefix(64).debugDescription))")
        }
        let looksLikeDigest = name.utf8.count == 32 && Hex.decode(name) != nil
        guard !looksLikeDigest, name != CallerScope.shared else {
            throw CredentialError("the credential name \(name) would share the idempotency scope of a plain token")
        }
    }
}

public struct CredentialError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }
}
