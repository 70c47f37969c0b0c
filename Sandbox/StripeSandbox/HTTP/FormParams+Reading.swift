/// Typed reads of request parameters, failing as Stripe does.
extension FormParams {
    /// Stripe refuses parameters it does not know; so does the sandbox (it catches client typos).
    func rejectUnknown(allowed: Set<String>) throws(StripeError) {
        if let unknown = root.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw .unknownParameter(unknown)
        }
    }

    func string(_ key: String) throws(StripeError) -> String? {
        guard let value = root[key] else { return nil }
        guard let string = value.string else { throw .invalidParameter(key) }
        return string
    }

    func requiredString(_ key: String) throws(StripeError) -> String {
        guard let value = try string(key), !value.isEmpty else { throw .missingParameter(key) }
        return value
    }

    func int(_ key: String) throws(StripeError) -> Int? {
        guard let text = try string(key) else { return nil }
        guard let value = Int(text) else { throw .invalidInteger(key) }
        return value
    }

    func requiredInt(_ key: String) throws(StripeError) -> Int {
        guard let value = try int(key) else { throw .missingParameter(key) }
        return value
    }

    func bool(_ key: String) throws(StripeError) -> Bool? {
        guard let text = try string(key) else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default:
            throw .invalidRequest("Invalid boolean: \(text)", code: "parameter_invalid_boolean", param: key)
        }
    }

    func enumValue(_ key: String, among allowed: [String]) throws(StripeError) -> String? {
        guard let value = try string(key) else { return nil }
        guard allowed.contains(value) else {
            throw .invalidRequest(
                "Invalid \(key): must be one of \(allowed.joined(separator: ", "))", code: "parameter_invalid_string", param: key
            )
        }
        return value
    }

    /// `metadata[k]=v`; an empty `metadata=""` is allowed and means none.
    func metadata() throws(StripeError) -> [String: String] {
        guard let value = root["metadata"] else { return [:] }
        if value.string == "" { return [:] }
        guard let fields = value.object else { throw .invalidParameter("metadata") }
        var metadata: [String: String] = [:]
        for (key, value) in fields {
            guard let string = value.string else { throw .invalidParameter("metadata[\(key)]") }
            guard key.count <= 40 else {
                throw .invalidRequest("Metadata keys can have at most 40 characters.", param: "metadata[\(key)]")
            }
            guard string.count <= 500 else {
                throw .invalidRequest("Metadata values can have at most 500 characters.", param: "metadata[\(key)]")
            }
            if !string.isEmpty { metadata[key] = string }
        }
        guard metadata.count <= 50 else { throw .invalidRequest("Metadata can have at most 50 keys.", param: "metadata") }
        return metadata
    }
}
