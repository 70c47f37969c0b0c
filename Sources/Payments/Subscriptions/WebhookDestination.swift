/// A pushed webhook's URL, checked before it is stored: http or https, no userinfo, a host that is a plain DNS
/// name or an IP literal, and (unless private addresses are allowed) no literal or `localhost` name in a refused
/// range (`AddressRange`). Names are resolved only at connect time, where every address is checked again.
public struct WebhookDestination: Sendable, Equatable {
    public static let maxLength = 2_048

    public let url: String
    /// Lower-cased; an IPv6 literal without its brackets.
    public let host: String

    /// Why a URL is refused, worded for the 400 that names the field.
    public struct Refusal: Error, Sendable, Equatable {
        public var message: String
    }

    public init(_ url: String, allowPrivate: Bool) throws(Refusal) {
        guard (1...Self.maxLength).contains(url.utf8.count), url.utf8.allSatisfy({ (0x21...0x7E).contains($0) && $0 != 0x5C }) else {
            throw Refusal(message: "must be an absolute URL of at most \(Self.maxLength) visible ASCII characters")
        }
        guard let separator = url.range(of: "://") else { throw Refusal(message: "must be an absolute http or https URL") }
        let scheme = url[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { throw Refusal(message: "must use http or https, not \(scheme.prefix(16))") }
        let rest = url[separator.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.contains("@") else { throw Refusal(message: "must not carry a user name or password") }
        host = try Self.host(of: authority)
        self.url = url
        if !allowPrivate, let range = Self.refusedRange(host) {
            throw Refusal(message: "must not point at a \(range) address (WEBHOOK_ALLOW_PRIVATE=1 allows it for tests and demos)")
        }
    }

    /// The host of `authority` (`host`, `host:port`, `[v6]:port`), after checking its port.
    private static func host(of authority: Substring) throws(Refusal) -> String {
        let (host, port) = authority.hasPrefix("[") ? try bracketed(authority) : split(authority)
        if let port, !port.isEmpty {
            guard port.allSatisfy(\.isASCIIDigit), port.count <= 5, let number = Int(port), (1...65_535).contains(number) else {
                throw Refusal(message: "has a port that is not a number from 1 to 65535")
            }
        }
        guard !host.isEmpty, host.allSatisfy({ $0.isASCIIDigit || $0.isASCIILetter || "-._:".contains($0) }) else {
            throw Refusal(message: "must name a host: a DNS name or an IP literal, without percent-encoding")
        }
        let name = host.lowercased()
        if !authority.hasPrefix("["), looksNumeric(name), ipv4(name) == nil {
            throw Refusal(message: "has a host that looks like an IPv4 address but is not one")
        }
        return name
    }

    /// `[v6]` or `[v6]:port`.
    private static func bracketed(_ authority: Substring) throws(Refusal) -> (host: Substring, port: Substring?) {
        guard let close = authority.firstIndex(of: "]") else { throw Refusal(message: "has an unclosed IPv6 literal") }
        let host = authority[authority.index(after: authority.startIndex)..<close]
        let after = authority[authority.index(after: close)...]
        guard after.isEmpty || after.hasPrefix(":") else { throw Refusal(message: "has characters after its IPv6 literal") }
        guard AddressRange.ipv6Literal(host) != nil else { throw Refusal(message: "has an IPv6 literal that is not valid (zones are not allowed)") }
        return (host, after.isEmpty ? nil : after.dropFirst())
    }

    /// `host` or `host:port`; a second colon makes the port invalid.
    private static func split(_ authority: Substring) -> (host: Substring, port: Substring?) {
        guard let colon = authority.firstIndex(of: ":") else { return (authority, nil) }
        return (authority[..<colon], authority[authority.index(after: colon)...])
    }

    /// A host whose last label is a number is read as an IPv4 literal, as browsers and libcurl do.
    private static func looksNumeric(_ host: String) -> Bool {
        let trimmed = host.hasSuffix(".") ? host.dropLast() : Substring(host)
        guard let last = trimmed.split(separator: ".", omittingEmptySubsequences: false).last, !last.isEmpty else { return false }
        return last.allSatisfy(\.isASCIIDigit) || last.hasPrefix("0x")
    }

    private static func ipv4(_ host: String) -> [UInt8]? {
        AddressRange.ipv4Literal(host.hasSuffix(".") ? host.dropLast() : Substring(host))
    }

    private static func refusedRange(_ host: String) -> String? {
        if let v6 = AddressRange.ipv6Literal(Substring(host)) { return AddressRange.refused(v6) }
        if let v4 = ipv4(host) { return AddressRange.refused(v4) }
        let name = host.hasSuffix(".") ? String(host.dropLast()) : host
        return name == "localhost" || name.hasSuffix(".localhost") ? "loopback" : nil
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
    fileprivate var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
