import Payments

/// The small bodies of capture, void and refund requests: an object (or no body at all) with known fields.
struct BodyFields {
    private var fields: [String: JSONValue] = [:]

    init(_ body: JSONValue?, allowed: Set<String>) throws(APIProblem) {
        guard let body else { return }
        guard case .object(let members) = body else {
            throw APIProblem.invalid([FieldError(pointer: "", "the body must be a JSON object")])
        }
        var errors: [FieldError] = []
        for (key, value) in members {
            if allowed.contains(key) { fields[key] = value } else { errors.append(FieldError(pointer: "/" + JSONPointer.escape(key), "unknown field")) }
        }
        if !errors.isEmpty { throw APIProblem.invalid(errors) }
    }

    func positiveAmount(_ name: String) throws(APIProblem) -> Int? {
        guard let value = fields[name] else { return nil }
        guard let amount = value.integer, AuthorizeCommandValidator.amountRange.contains(amount) else {
            throw APIProblem.invalid([FieldError(pointer: "/\(name)", "must be an integer from 1 to 99999999 (minor units)")])
        }
        return amount
    }

    func reason() throws(APIProblem) -> RefundReason? {
        guard let value = fields["reason"] else { return nil }
        guard case .string(let text) = value, let reason = RefundReason(rawValue: text) else {
            throw APIProblem.invalid([FieldError(pointer: "/reason", "must be duplicate, fraudulent or requested_by_customer")])
        }
        return reason
    }
}
