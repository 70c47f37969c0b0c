/// An ISO 8601 duration in days, hours, minutes and seconds (`P8D`, `PT12H`, `P4DT18H`, `PT90S`), what
/// `POST /_sandbox/clock` advances by. Years, months and weeks (no fixed length in seconds, or no use
/// here), fractions and signs are refused.
enum ISODuration {
    /// The duration in seconds, or nil when `text` is not one of the accepted forms.
    static func seconds(_ text: String) -> Int? {
        guard text.hasPrefix("P"), text.count > 1 else { return nil }
        let halves = text.dropFirst().split(separator: "T", maxSplits: 1, omittingEmptySubsequences: false)
        if halves.count == 2 && halves[1].isEmpty { return nil }
        guard let days = total(halves[0], units: [("D", 86_400)]) else { return nil }
        guard halves.count == 2 else { return days }
        guard let time = total(halves[1], units: [("H", 3_600), ("M", 60), ("S", 1)]) else { return nil }
        return days + time
    }

    /// `12H30M` in seconds: digits before each unit, each unit at most once and in `units`' order.
    private static func total(_ text: Substring, units: [(Character, Int)]) -> Int? {
        var sum = 0
        var rest = text
        var remaining = units[...]
        while let (value, unit) = number(&rest) {
            guard let index = remaining.firstIndex(where: { $0.0 == unit }) else { return nil }
            sum += value * remaining[index].1
            remaining = remaining[(index + 1)...]
        }
        return rest.isEmpty ? sum : nil
    }

    /// Reads `<digits><unit>` off the front of `text`; at most nine digits, so no sum can overflow.
    private static func number(_ text: inout Substring) -> (Int, Character)? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard (1...9).contains(digits.count), let value = Int(digits) else { return nil }
        let rest = text.dropFirst(digits.count)
        guard let unit = rest.first else { return nil }
        text = rest.dropFirst()
        return (value, unit)
    }
}
