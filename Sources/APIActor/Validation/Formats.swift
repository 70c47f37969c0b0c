/// The string formats the schemas name, enforced whatever a JSON Schema draft says about formats.
enum Formats {
    /// RFC 4122 text form: 8-4-4-4-12 hexadecimal digits.
    /// A decimal integer in `range`, digits only (no sign, no spaces); nil otherwise.
    static func boundedInt(_ s: String, _ range: ClosedRange<Int>) -> Int? {
        guard (1...19).contains(s.utf8.count), s.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let value = Int(s), range.contains(value)
        else { return nil }
        return value
    }

    static func isUUID(_ s: String) -> Bool {
        let utf8 = Array(s.utf8)
        guard utf8.count == 36 else { return false }
        for (i, c) in utf8.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard c == UInt8(ascii: "-") else { return false }
            } else {
                guard isHex(c) else { return false }
            }
        }
        return true
    }

    /// `^pm_[A-Za-z0-9_]+$`
    static func isPaymentMethod(_ s: String) -> Bool {
        guard s.hasPrefix("pm_"), s.utf8.count > 3, s.utf8.count <= 255 else { return false }
        return s.utf8.dropFirst(3).allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") }
    }

    /// `^[A-Z]{3}$`
    static func isCurrencyShape(_ s: String) -> Bool {
        s.utf8.count == 3 && s.utf8.allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
    }

    private static func isHex(_ c: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(c)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(c)
    }

    private static func isAlphanumeric(_ c: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
    }
}
