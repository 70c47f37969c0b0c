/// Writes a flat JSON object without Foundation: event payloads and resources are built on the hot path,
/// so every piece is appended in place (no temporary strings per field).
struct JSONObjectWriter {
    private var text: String
    private var first = true

    init(capacity: Int = 256) {
        text = "{"
        text.reserveCapacity(capacity)
    }

    mutating func string(_ key: String, _ value: String?) {
        guard let value else { return }
        field(key)
        JSONString.append(value, to: &text)
    }

    mutating func int(_ key: String, _ value: Int) {
        field(key)
        text += String(value)
    }

    mutating func bool(_ key: String, _ value: Bool) {
        field(key)
        text += value ? "true" : "false"
    }

    /// A string, or `null` when absent (resources show every field).
    mutating func stringOrNull(_ key: String, _ value: String?) {
        field(key)
        if let value { JSONString.append(value, to: &text) } else { text += "null" }
    }

    /// Already-encoded JSON, or `null`.
    mutating func rawOrNull(_ key: String, _ json: String?) {
        field(key)
        text += json ?? "null"
    }

    mutating func finish() -> String {
        text += "}"
        return text
    }

    private mutating func field(_ key: String) {
        if !first { text += "," }
        first = false
        JSONString.append(key, to: &text)
        text += ":"
    }
}

public enum JSONString {
    /// `s` as a JSON string literal, escaped per RFC 8259.
    public static func quoted(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count + 2)
        append(s, to: &out)
        return out
    }

    /// A flat object of string fields, keys sorted (a stable text for the same fields).
    public static func object(_ fields: [String: String]) -> String {
        var o = JSONObjectWriter(capacity: 16)
        for key in fields.keys.sorted() { o.string(key, fields[key]) }
        return o.finish()
    }

    /// Appends `s` to `out` as a JSON string literal, escaped per RFC 8259.
    public static func append(_ s: String, to out: inout String) {
        out += "\""
        // Most text needs no escaping: copy it whole.
        if !needsEscaping(s) {
            out += s
        } else {
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
        }
        out += "\""
    }

    private static func needsEscaping(_ s: String) -> Bool {
        func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            for byte in bytes where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return true }
            return false
        }
        if let found = s.utf8.withContiguousStorageIfAvailable(scan) { return found }
        var copy = s
        return copy.withUTF8(scan)
    }
}
