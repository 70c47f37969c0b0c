/// One setting as the parser, `--help` and the README see it: its environment variable, the flag that overrides it,
/// what it means, its default and the rule its value must meet. Every setting is one entry of `SettingDescriptor.all`.
struct SettingDescriptor: Sendable {
    enum Rule: Sendable {
        case any
        case number(ClosedRange<Int>)
        case oneOf([String])
        /// `complaint` follows the variable's name in the message when `isMet` refuses a value.
        case valid(complaint: String, isMet: @Sendable (String) -> Bool)
    }

    enum Default: Sendable {
        /// What an unset setting reads as; `note` adds a case where it differs.
        case fixed(String, note: String? = nil)
        /// Decided by the processor the other settings chose (nil: none); `text` says how.
        case byProcessor(String, @Sendable (Settings.Processor) -> String?)
        /// Decided by the code that reads the setting; `text` says how.
        case described(String)
    }

    let variable: String
    let option: @Sendable (Options) -> String?
    /// Markdown: the README shows it as written; `--help` without the backticks.
    let meaning: String
    let defaultValue: Default
    var rule: Rule = .any

    var flag: String { "--" + variable.lowercased().replacingOccurrences(of: "_", with: "-") }
}

extension SettingDescriptor.Rule {
    func check(_ text: String, of variable: String) throws(Settings.Invalid) {
        switch self {
        case .any:
            return
        case .number(let range):
            guard let number = Int(text), range.contains(number) else {
                throw Settings.Invalid(message: "\(variable) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(text)\"")
            }
        case .oneOf(let choices):
            guard choices.contains(text) else { throw Settings.Invalid(message: "\(variable) must be \(Self.spelled(choices))") }
        case .valid(let complaint, let isMet):
            guard isMet(text) else { throw Settings.Invalid(message: "\(variable) \(complaint)") }
        }
    }

    /// "json or text", "all, api or worker"; a longer list as "one of a, b, c, d".
    static func spelled(_ choices: [String]) -> String {
        guard choices.count <= 3, let last = choices.last else { return "one of " + choices.joined(separator: ", ") }
        return choices.count == 1 ? last : choices.dropLast().joined(separator: ", ") + " or " + last
    }
}
