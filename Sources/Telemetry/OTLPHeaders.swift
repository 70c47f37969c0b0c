import Foundation

/// `OTEL_EXPORTER_OTLP_HEADERS`: `name=value` pairs joined by `,`, values percent-encoded, as OpenTelemetry's
/// exporter specification writes them (for example `authorization=Bearer%20abc`). A collector that asks for a key
/// gets it here; the values are secrets and are never logged.
public enum OTLPHeaders {
    /// The pairs, or nil when an entry has no `=`, its name is not an HTTP token, or its value (decoded) holds a
    /// control character (a line break would forge a header of its own).
    public static func parse(_ text: String) -> [(String, String)]? {
        var headers: [(String, String)] = []
        for entry in text.split(separator: ",", omittingEmptySubsequences: true) {
            guard let equals = entry.firstIndex(of: "=") else { return nil }
            let name = entry[..<equals].trimmingCharacters(in: .whitespaces)
            let raw = entry[entry.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte), let value = raw.removingPercentEncoding,
                  !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
            else { return nil }
            headers.append((name, value))
        }
        return headers
    }

    /// RFC 9110's `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}
