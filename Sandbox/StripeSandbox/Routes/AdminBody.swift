import Foundation
import Hummingbird

/// The JSON object an admin call sends (`{"outcome": "succeed"}`, `{"amount": 500}`); an empty or
/// unreadable body has no fields.
struct AdminBody {
    private let fields: [String: Any]

    static func read(_ request: Request) async throws -> AdminBody {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 16)
        let fields = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
        return AdminBody(fields: fields ?? [:])
    }

    /// A string field that must be one of `allowed`; nil when absent.
    func string(_ name: String, among allowed: [String]) throws(StripeError) -> String? {
        guard let value = fields[name] else { return nil }
        guard let text = value as? String, allowed.contains(text) else {
            throw .invalidRequest(
                "Invalid \(name): must be one of \(allowed.joined(separator: ", "))", code: "parameter_invalid_string", param: name
            )
        }
        return text
    }

    /// A required string field that must be one of `allowed`.
    func required(_ name: String, among allowed: [String]) throws(StripeError) -> String {
        guard let value = try string(name, among: allowed) else { throw .missingParameter(name) }
        return value
    }

    /// A whole number field within `range`; nil when absent.
    func int(_ name: String, in range: ClosedRange<Int>) throws(StripeError) -> Int? {
        guard let value = fields[name] else { return nil }
        guard let number = value as? Int, range.contains(number) else {
            throw .invalidRequest(
                "Invalid \(name): must be an integer between \(range.lowerBound) and \(range.upperBound).",
                code: "parameter_invalid_integer", param: name
            )
        }
        return number
    }

    /// A required string field, free-form.
    func text(_ name: String) throws(StripeError) -> String {
        guard let value = fields[name] else { throw .missingParameter(name) }
        guard let text = value as? String else { throw .invalidParameter(name) }
        return text
    }
}
