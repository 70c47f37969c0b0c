/// `application/x-www-form-urlencoded` with Stripe's bracket nesting:
/// `metadata[payment_id]=…`, `payment_method_types[]=card`, `items[0][price]=…`.
///
/// Map keys go out sorted (the same parameters always make the same bytes, which matters because
/// Stripe compares a replayed request's parameters with the first one's). List order is kept.
/// Empty lists and maps are left out. Key parts and values are percent-encoded on their UTF-8
/// bytes, everything outside RFC 3986's unreserved set; the structural brackets stay literal,
/// as in Stripe's own libraries.
public enum FormEncoder {
    public static func encode(_ fields: [String: FormValue]) -> String {
        pairs(fields)
            .map { "\($0.key)=\(percentEncode($0.value))" }
            .joined(separator: "&")
    }

    public static func encodeBytes(_ fields: [String: FormValue]) -> [UInt8] {
        Array(encode(fields).utf8)
    }

    /// The flattened pairs in wire order; keys already encoded, values not yet.
    static func pairs(_ fields: [String: FormValue]) -> [(key: String, value: String)] {
        var out: [(key: String, value: String)] = []
        for key in fields.keys.sorted() {
            flatten(fields[key]!, key: percentEncode(key), into: &out)
        }
        return out
    }

    private static func flatten(_ value: FormValue, key: String, into out: inout [(key: String, value: String)]) {
        switch value {
        case .string(let string):
            out.append((key, string))
        case .list(let items):
            let scalarsOnly = items.allSatisfy { if case .string = $0 { true } else { false } }
            for (index, item) in items.enumerated() {
                flatten(item, key: scalarsOnly ? "\(key)[]" : "\(key)[\(index)]", into: &out)
            }
        case .map(let map):
            for subkey in map.keys.sorted() {
                flatten(map[subkey]!, key: "\(key)[\(percentEncode(subkey))]", into: &out)
            }
        }
    }

    /// Percent-encodes every byte outside `A-Z a-z 0-9 - . _ ~` (a space becomes `%20`).
    public static func percentEncode(_ string: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(string.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in string.utf8 {
            if isUnreserved(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
