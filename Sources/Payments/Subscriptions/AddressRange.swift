/// The address ranges a pushed webhook may not reach unless `WEBHOOK_ALLOW_PRIVATE` lifts the rule: everything
/// that is not a public unicast address, so that an endpoint cannot turn the service against its own network
/// (SSRF). Checked on IP literals when an endpoint is created or changed, and on every resolved address at
/// connect time, so a name that resolves (or rebinds) to such an address is refused too.
public enum AddressRange {
    /// The name of the range `address` (4 or 16 bytes) is in, when it is one that is refused; nil for a public address.
    public static func refused(_ address: [UInt8]) -> String? {
        switch address.count {
        case 4: ipv4(address)
        case 16: ipv6(address)
        default: "not an IP address"
        }
    }

    private static func ipv4(_ a: [UInt8]) -> String? {
        switch (a[0], a[1]) {
        case (0, _): "this network (0.0.0.0/8)"
        case (10, _), (172, 16...31), (192, 168): "private"
        case (100, 64...127): "carrier-grade NAT (100.64.0.0/10)"
        case (127, _): "loopback"
        case (169, 254): "link-local (169.254.0.0/16)"
        case (198, 18...19): "benchmarking (198.18.0.0/15)"
        case (224...239, _): "multicast"
        case (240...255, _): "reserved (240.0.0.0/4, the broadcast address included)"
        default: special(a)
        }
    }

    /// The special-purpose /24s.
    private static func special(_ a: [UInt8]) -> String? {
        switch (a[0], a[1], a[2]) {
        case (192, 0, 0): "IETF protocol assignments (192.0.0.0/24)"
        case (192, 0, 2), (198, 51, 100), (203, 0, 113): "documentation (TEST-NET)"
        case (192, 88, 99): "6to4 relay anycast (192.88.99.0/24)"
        default: nil
        }
    }

    private static func ipv6(_ a: [UInt8]) -> String? {
        if a[0..<12].allSatisfy({ $0 == 0 }) { return compatible(a) }
        if a[0..<10].allSatisfy({ $0 == 0 }) && a[10] == 0xFF && a[11] == 0xFF { return "IPv4-mapped (::ffff:0:0/96)" }
        if a[0..<4] == [0x00, 0x64, 0xFF, 0x9B] && a[4..<12].allSatisfy({ $0 == 0 }) {
            return ipv4(Array(a[12..<16])).map { "NAT64 of \($0)" }
        }
        return transition(a) ?? scoped(a)
    }

    /// Prefixes that reach IPv4 through a translator or a tunnel, or reach nothing: refused whole.
    private static func transition(_ a: [UInt8]) -> String? {
        if a[0..<6] == [0x00, 0x64, 0xFF, 0x9B, 0x00, 0x01] { return "local-use NAT64 (64:ff9b:1::/48)" }
        if a[0] == 0x20 && a[1] == 0x02 { return "6to4 (2002::/16)" }
        if a[0..<4] == [0x20, 0x01, 0x00, 0x00] { return "Teredo (2001::/32)" }
        if a[0..<4] == [0x20, 0x01, 0x0D, 0xB8] { return "documentation (2001:db8::/32)" }
        if a[0..<2] == [0x01, 0x00] && a[2..<8].allSatisfy({ $0 == 0 }) { return "discard-only (100::/64)" }
        return nil
    }

    private static func scoped(_ a: [UInt8]) -> String? {
        switch (a[0], a[1] & 0xC0) {
        case (0xFC...0xFD, _): "unique local (fc00::/7)"
        case (0xFE, 0x80): "link-local (fe80::/10)"
        case (0xFE, 0xC0): "site-local (fec0::/10)"
        case (0xFF, _): "multicast"
        default: nil
        }
    }

    /// `::/96`: the unspecified address, loopback, and the deprecated IPv4-compatible form (refused whole).
    private static func compatible(_ a: [UInt8]) -> String {
        guard a[12..<15].allSatisfy({ $0 == 0 }), a[15] <= 1 else { return "IPv4-compatible (::/96)" }
        return a[15] == 0 ? "unspecified (::)" : "loopback"
    }

    /// An IPv4 literal in any spelling `inet_aton` and browsers accept: one to four parts, each decimal, octal
    /// (a leading `0`) or hexadecimal (`0x`), the last filling the bytes left (`127.1`, `2130706433`, `0177.0.0.1`,
    /// `0x7f.1`). Nil when `text` is not one.
    public static func ipv4Literal(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var values: [UInt64] = []
        for part in parts {
            guard let value = number(part) else { return nil }
            values.append(value)
        }
        let last = values.removeLast()
        guard values.allSatisfy({ $0 <= 255 }), last < (UInt64(1) << (8 * (4 - values.count))) else { return nil }
        var address = values.map(UInt8.init)
        for index in stride(from: 3 - values.count, through: 0, by: -1) { address.append(UInt8((last >> (8 * UInt64(index))) & 0xFF)) }
        return address
    }

    private static func number(_ part: Substring) -> UInt64? {
        guard !part.isEmpty, part.count <= 20 else { return nil }
        let lower = part.lowercased()
        if lower.hasPrefix("0x") { return lower.count == 2 ? 0 : UInt64(lower.dropFirst(2), radix: 16) }
        if lower.count > 1 && lower.hasPrefix("0") { return UInt64(lower.dropFirst(), radix: 8) }
        return UInt64(lower, radix: 10)
    }
}
