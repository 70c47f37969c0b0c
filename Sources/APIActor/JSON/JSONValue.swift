/// A parsed JSON document. Numbers keep their text so that huge or fractional values are judged by the
/// validator, not rounded by the parser; objects keep their member order.
indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.map(\.key) == b.map(\.key) && a.map(\.value) == b.map(\.value)
        default: false
        }
    }

    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The value as an exact integer: a number with no fractional part (`12`, `12.0`, `1.2e1`) in range.
    /// Judged on the text, not on a `Double`, which would round `1.0000000000000001` to 1.
    var integer: Int? {
        guard case .number(let text) = self else { return nil }
        if let value = Int(text) { return value }
        var mantissa = Substring(text)
        let negative = mantissa.first == "-"
        if negative { mantissa = mantissa.dropFirst() }
        var exponent = 0
        if let e = mantissa.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let value = Int(mantissa[mantissa.index(after: e)...]) else { return nil }
            exponent = value
            mantissa = mantissa[..<e]
        }
        var digits = String(mantissa)
        if let dot = mantissa.firstIndex(of: ".") {
            let fraction = mantissa[mantissa.index(after: dot)...]
            digits = String(mantissa[..<dot] + fraction)
            exponent -= fraction.count
        }
        digits = String(digits.drop { $0 == "0" })
        while exponent < 0, digits.last == "0" {
            digits.removeLast()
            exponent += 1
        }
        if digits.isEmpty { return 0 }
        guard exponent >= 0, digits.count + exponent <= 18,
            let magnitude = Int(digits + String(repeating: "0", count: exponent))
        else { return nil }
        return negative ? -magnitude : magnitude
    }
}
