/// A pushed webhook's URL, checked before it is stored: `pattern` (http or https; a DNS name whose last label starts
/// with a letter, or a dotted-decimal IPv4 address; a port from 1 to 65535; then any visible ASCII but `\\`), which
/// the OpenAPI document gives as the field's pattern, so the two cannot disagree; then, unless private addresses are
/// allowed, no IPv4 literal in a refused range (`AddressRange`) and no `localhost`. Other spellings of addresses
/// (`127.1`, `2130706433`, `0x7f.1`, `[::1]`) do not match at all. Names are resolved only at connect time, where
/// every address is checked again.
public struct WebhookDestination: Sendable, Equatable {
    public static let maxLength = 2_048
    public static let pattern =
        #"^[Hh][Tt][Tt][Pp][Ss]?://(?:(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?|"#
        + #"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]))"#
        + #"(?::(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?(?:[/?#][!-\[\]-~]*)?$"#
    nonisolated(unsafe) private static let grammar = try! Regex(pattern)

    public let url: String
    /// Lower-cased.
    public let host: String

    /// Why a URL is refused, worded for the 400 that names the field.
    public struct Refusal: Error, Sendable, Equatable {
        public var message: String
    }

    public init(_ url: String, allowPrivate: Bool) throws(Refusal) {
        guard url.utf8.count <= Self.maxLength, url.utf8.allSatisfy({ (0x21...0x7E).contains($0) }), (try? Self.grammar.wholeMatch(in: url)) != nil
        else {
            throw Refusal(message: "must be an http or https URL of at most \(Self.maxLength) characters, naming a DNS host or a dotted IPv4 "
                + "address, with no user name or password")
        }
        let authority = url.drop { $0 != "/" }.dropFirst(2).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        host = String(authority.prefix { $0 != ":" }).lowercased()
        self.url = url
        if !allowPrivate, let range = Self.refusedRange(host) {
            throw Refusal(message: "must not point at a \(range) address (WEBHOOK_ALLOW_PRIVATE=1 allows it for tests and demos)")
        }
    }

    private static func refusedRange(_ host: String) -> String? {
        if let v4 = AddressRange.ipv4Literal(Substring(host)) { return AddressRange.refused(v4) }
        return host == "localhost" || host.hasSuffix(".localhost") ? "loopback" : nil
    }
}
