import Foundation

/// The subset of Stripe's search query language the sandbox understands: clauses
/// `metadata['key']:'value'`, `status:'succeeded'`, `currency:'usd'`, `amount:1000`, joined by `AND`.
struct SearchQuery: Sendable, Equatable {
    enum Clause: Sendable, Equatable {
        case metadata(key: String, value: String)
        case field(name: String, value: String)
    }

    var clauses: [Clause]

    init(_ text: String) throws(StripeError) {
        let parts = text.components(separatedBy: " AND ").flatMap { $0.components(separatedBy: " and ") }
        clauses = []
        for part in parts.map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let clause = Self.clause(part) else {
                throw .invalidRequest(
                    "Invalid query: `\(text)`. See https://stripe.com/docs/search#search-query-language for the query syntax.",
                    param: "query"
                )
            }
            clauses.append(clause)
        }
        guard !clauses.isEmpty else { throw .missingParameter("query") }
    }

    func matches(_ intent: PaymentIntent) -> Bool {
        clauses.allSatisfy { clause in
            switch clause {
            case .metadata(let key, let value): intent.metadata[key] == value
            case .field("status", let value): intent.status.rawValue == value
            case .field("currency", let value): intent.currency == value.lowercased()
            case .field("amount", let value): String(intent.amount) == value
            case .field: false
            }
        }
    }

    private static func clause(_ text: String) -> Clause? {
        if text.hasPrefix("metadata[") {
            let rest = text.dropFirst("metadata[".count)
            guard let close = rest.firstIndex(of: "]"),
                let key = unquote(rest[..<close]),
                rest[rest.index(after: close)...].hasPrefix(":"),
                let value = unquote(rest[rest.index(close, offsetBy: 2)...])
            else { return nil }
            return .metadata(key: key, value: value)
        }
        let pieces = text.split(separator: ":", maxSplits: 1)
        guard pieces.count == 2, ["status", "currency", "amount"].contains(String(pieces[0])) else { return nil }
        guard let value = unquote(pieces[1]) ?? (Int(pieces[1]) != nil ? String(pieces[1]) : nil) else { return nil }
        return .field(name: String(pieces[0]), value: value)
    }

    private static func unquote(_ text: Substring) -> String? {
        guard text.count >= 2, let quote = text.first, quote == "'" || quote == "\"", text.last == quote else { return nil }
        return String(text.dropFirst().dropLast())
    }
}
