import Support

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

extension JSONString {
    /// A flat object of string fields, keys sorted (a stable text for the same fields).
    public static func object(_ fields: [String: String]) -> String {
        var o = JSONObjectWriter(capacity: 16)
        for key in fields.keys.sorted() { o.string(key, fields[key]) }
        return o.finish()
    }
}
