/// A value in a Stripe form body: scalars, lists (`key[]=…`) and maps (`key[sub]=…`), nested freely.
public enum FormValue: Sendable, Equatable {
    case string(String)
    case list([FormValue])
    case map([String: FormValue])

    public static func integer(_ value: Int) -> FormValue { .string(String(value)) }
    public static func bool(_ value: Bool) -> FormValue { .string(value ? "true" : "false") }
}

extension FormValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension FormValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self = .string(String(value)) }
}
