/// A decoded `application/x-www-form-urlencoded` body (or query string) with Stripe's bracket nesting:
/// `metadata[k]=v` makes an object, `payment_method_types[]=card` (or `[0]=card`) an array.
indirect enum FormValue: Sendable, Equatable {
    case string(String)
    case array([FormValue])
    case object([String: FormValue])

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var object: [String: FormValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// Arrays, also when sent with explicit indices (`a[0]=x&a[1]=y`).
    var array: [FormValue]? {
        switch self {
        case .array(let values): return values
        case .object(let fields):
            let indexed = fields.compactMap { key, value in Int(key).map { ($0, value) } }
            guard indexed.count == fields.count else { return nil }
            return indexed.sorted { $0.0 < $1.0 }.map(\.1)
        case .string: return nil
        }
    }
}

struct FormParams: Sendable, Equatable {
    /// The pairs as sent, decoded; their sorted list fingerprints a request for idempotency.
    var pairs: [(key: String, value: String)]
    var root: [String: FormValue]

    static func == (lhs: FormParams, rhs: FormParams) -> Bool { lhs.fingerprint == rhs.fingerprint }

    var fingerprint: String {
        pairs.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "&")
    }

    subscript(key: String) -> FormValue? { root[key] }

    init(urlEncoded text: Substring) throws(StripeError) {
        pairs = []
        root = [:]
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.percentDecode(pieces[0])
            let value = pieces.count > 1 ? Self.percentDecode(pieces[1]) : ""
            guard !key.isEmpty else { continue }
            pairs.append((key, value))
            try insert(value, at: Self.path(of: key), fullKey: key)
        }
    }

    /// `a[b][]` → `["a", "b", ""]`; an empty segment appends to an array.
    private static func path(of key: String) -> [String] {
        guard let open = key.firstIndex(of: "[") else { return [key] }
        var segments = [String(key[..<open])]
        var rest = key[open...]
        while rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            segments.append(String(rest[rest.index(after: rest.startIndex)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return segments
    }

    private mutating func insert(_ value: String, at path: [String], fullKey: String) throws(StripeError) {
        var top = FormValue.object(root)
        try Self.insert(value, at: path[...], into: &top, fullKey: fullKey)
        root = top.object ?? [:]
    }

    private static func insert(
        _ value: String, at path: ArraySlice<String>, into node: inout FormValue, fullKey: String
    ) throws(StripeError) {
        guard let head = path.first else {
            node = .string(value)
            return
        }
        let rest = path.dropFirst()
        if head.isEmpty {
            guard case .array(var values) = node else { throw .invalidParameter(fullKey) }
            var child = rest.first == nil ? FormValue.string(value) : rest.first!.isEmpty ? .array([]) : .object([:])
            try insert(value, at: rest, into: &child, fullKey: fullKey)
            values.append(child)
            node = .array(values)
            return
        }
        guard case .object(var fields) = node else { throw .invalidParameter(fullKey) }
        let next = rest.first
        var child = fields[head] ?? (next == nil ? .string("") : next!.isEmpty ? .array([]) : .object([:]))
        if next == nil, fields[head] != nil, fields[head]?.string == nil { throw .invalidParameter(fullKey) }
        try insert(value, at: rest, into: &child, fullKey: fullKey)
        fields[head] = child
        node = .object(fields)
    }

    private static func percentDecode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                let high = iterator.next(), low = iterator.next()
                if let high, let low, let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                    bytes.append(value)
                } else {
                    bytes.append(byte)
                    if let high { bytes.append(high) }
                    if let low { bytes.append(low) }
                }
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
