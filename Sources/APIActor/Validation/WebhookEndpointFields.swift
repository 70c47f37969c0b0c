import Payments
import Store

/// The bodies of `/webhook-endpoints`: every invalid field named in one 400.
struct WebhookEndpointFields {
    static let maxDescriptionLength = 500

    private var members: [String: JSONValue] = [:]
    private(set) var errors: [FieldError] = []

    init(_ body: JSONValue?, allowed: Set<String>) throws(APIProblem) {
        guard let body else { return }
        guard case .object(let pairs) = body else { throw APIProblem.invalid([FieldError(pointer: "", "the body must be a JSON object")]) }
        for (key, value) in pairs {
            if allowed.contains(key) { members[key] = value } else { errors.append(FieldError(pointer: "/" + JSONPointer.escape(key), "unknown field")) }
        }
    }

    func checked() throws(APIProblem) {
        if !errors.isEmpty { throw APIProblem.invalid(errors) }
    }

    mutating func required<T>(_ name: String, _ read: (inout Self, JSONValue) -> T?) -> T? {
        guard let value = members[name] else {
            errors.append(FieldError(pointer: "/\(name)", "required"))
            return nil
        }
        return read(&self, value)
    }

    func value(_ name: String) -> JSONValue? { members[name] }

    mutating func url(_ value: JSONValue, allowPrivate: Bool) -> String? {
        guard case .string(let text) = value else { return fail("/url", "must be a string") }
        do {
            return try WebhookDestination(text, allowPrivate: allowPrivate).url
        } catch {
            return fail("/url", error.message)
        }
    }

    mutating func events(_ value: JSONValue) -> EventSelection? {
        guard case .array(let items) = value, (1...64).contains(items.count) else {
            return fail("/events", "must be an array of 1 to 64 event types, or [\"*\"] for every type")
        }
        var names: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let name) = item, name == "*" || EventSelection.knownTypes.contains(name) else {
                errors.append(FieldError(pointer: "/events/\(index)", "not an event type of this feed (or \"*\")"))
                continue
            }
            names.append(name)
        }
        guard names.count == items.count else { return nil }
        return EventSelection(names: names)
    }

    /// A description, or `.some(nil)` for JSON null (clearing it).
    mutating func description(_ value: JSONValue) -> String?? {
        if value == .null { return .some(nil) }
        guard case .string(let text) = value, text.unicodeScalars.count <= Self.maxDescriptionLength,
            !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { return fail("/description", "must be a string of at most \(Self.maxDescriptionLength) characters without control characters, or null") }
        return .some(text)
    }

    mutating func bool(_ name: String, _ value: JSONValue) -> Bool? {
        guard case .bool(let flag) = value else { return fail("/\(name)", "must be true or false") }
        return flag
    }

    mutating func overlap(_ value: JSONValue) -> Int? {
        guard let seconds = value.integer, (0...SigningSecrets.maxOverlap).contains(seconds) else {
            return fail("/overlapSeconds", "must be an integer from 0 to \(SigningSecrets.maxOverlap) (a week)")
        }
        return seconds
    }

    mutating func cursor(_ value: JSONValue) -> EventCursor? {
        guard case .string(let text) = value, let cursor = EventCursor(text) else {
            return fail("/after", "not a cursor from this feed (an event id or a page's next)")
        }
        return cursor
    }

    private mutating func fail<T>(_ pointer: String, _ detail: String) -> T? {
        errors.append(FieldError(pointer: pointer, detail))
        return nil
    }
}
