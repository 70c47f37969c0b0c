import Foundation

/// Where settings are read: a flag wins over its environment variable; an empty value counts as unset.
/// Every value read is held to its descriptor's rule; an unset one falls back to the descriptor's default.
struct SettingSource {
    var options: Options
    var environment: [String: String]

    func isUnset(_ setting: SettingDescriptor) -> Bool { given(setting) == nil }

    /// The value as given, before any rule.
    func given(_ setting: SettingDescriptor) -> String? {
        let text = setting.option(options) ?? environment[setting.variable]
        return text?.isEmpty == true ? nil : text
    }

    /// The value given, checked, or the default; nil when neither exists (`processor` decides `.byProcessor` defaults).
    func value(_ setting: SettingDescriptor, processor: Settings.Processor? = nil) throws(Settings.Invalid) -> String? {
        if let text = given(setting) {
            try setting.rule.check(text, of: setting.variable)
            return text
        }
        switch setting.defaultValue {
        case .fixed(let value, _): return value
        case .byProcessor(_, let decide): return processor.flatMap(decide)
        case .described: return nil
        }
    }

    /// For a setting whose default is `.fixed`: it always has a value.
    func text(_ setting: SettingDescriptor) throws(Settings.Invalid) -> String {
        guard let text = try value(setting) else { preconditionFailure("\(setting.variable) has no fixed default") }
        return text
    }

    /// For a `.number` setting that always has a value (`.fixed`, or `.byProcessor` given `processor`).
    func number(_ setting: SettingDescriptor, processor: Settings.Processor? = nil) throws(Settings.Invalid) -> Int {
        guard let number = try value(setting, processor: processor).flatMap({ Int($0) }) else {
            preconditionFailure("\(setting.variable) is not a number with a default")
        }
        return number
    }

    /// For a `.oneOf` setting whose choices are `T`'s raw values.
    func choice<T: RawRepresentable<String>>(_ setting: SettingDescriptor, as type: T.Type) throws(Settings.Invalid) -> T? {
        guard let text = try value(setting) else { return nil }
        guard let choice = T(rawValue: text) else { preconditionFailure("\(setting.variable)'s choices are not \(T.self)'s") }
        return choice
    }

    /// A comma-separated list; blanks around and between the commas are dropped.
    func list(_ setting: SettingDescriptor) -> [String] {
        (given(setting) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
