/// Writes a flat JSON object without Foundation: event payloads are built on the hot path.
struct JSONObjectWriter {
    private var text = "{"
    private var first = true

    mutating func string(_ key: String, _ value: String?) {
        guard let value else { return }
        field(key)
        text += JSONString.quoted(value)
    }

    mutating func int(_ key: String, _ value: Int) {
        field(key)
        text += String(value)
    }

    /// A string, or `null` when absent (resources show every field).
    mutating func stringOrNull(_ key: String, _ value: String?) {
        field(key)
        text += value.map(JSONString.quoted) ?? "null"
    }

    /// Already-encoded JSON, or `null`.
    mutating func rawOrNull(_ key: String, _ json: String?) {
        field(key)
        text += json ?? "null"
    }

    mutating func finish() -> String { text + "}" }

    private mutating func field(_ key: String) {
        if !first { text += "," }
        first = false
        text += JSONString.quoted(key) + ":"
    }
}

public enum JSONString {
    /// `s` as a JSON string literal, escaped per RFC 8259.
    public static func quoted(_ s: String) -> String {
        // Most text needs no escaping: copy it whole.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            return "\"" + s + "\""
        }
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
