import Foundation

/// The service's own `/openapi.json`, used to judge real answers: the status must be documented for the
/// operation, the content type must be the documented one, and the body must carry the schema's required
/// fields (followed through `$ref`, objects and arrays; `type` checked where it is one plain type).
public struct OpenAPIContract: @unchecked Sendable {
    public let document: [String: Any]

    public init(json: [UInt8]) throws {
        guard let document = try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else {
            throw HarnessError(message: "the OpenAPI document is not a JSON object")
        }
        self.document = document
    }

    public var paths: [String: Any] { document["paths"] as? [String: Any] ?? [:] }

    /// Every "METHOD /path" the document describes.
    public var operations: Set<String> {
        var result: Set<String> = []
        for (path, item) in paths {
            for method in (item as? [String: Any] ?? [:]).keys where method != "parameters" {
                result.insert("\(method.uppercased()) \(path)")
            }
        }
        return result
    }

    /// What is wrong with `answer` as the answer of `method` on the documented `path` (empty: it conforms).
    public func violations(method: String, path: String, answer: APIClient.Answer) -> [String] {
        guard let operation = (paths[path] as? [String: Any])?[method.lowercased()] as? [String: Any] else {
            return ["\(method) \(path) is not documented"]
        }
        let responses = operation["responses"] as? [String: Any] ?? [:]
        guard let documented = responses[String(answer.status)] else {
            return ["\(method) \(path): status \(answer.status) is not documented (\(responses.keys.sorted()))"]
        }
        let response = resolve(documented)
        guard let content = response["content"] as? [String: Any] else { return [] }
        let type = (answer.headers["content-type"] ?? "").split(separator: ";").first.map(String.init) ?? ""
        guard let media = content[type] as? [String: Any] else {
            return ["\(method) \(path) \(answer.status): content type \(type) is not \(content.keys.sorted())"]
        }
        guard type.hasSuffix("json"), let schema = media["schema"] else { return [] }
        guard let body = try? JSONSerialization.jsonObject(with: Data(answer.body), options: [.fragmentsAllowed]) else {
            return ["\(method) \(path) \(answer.status): the body is not JSON"]
        }
        return check(body, against: schema, at: "\(method) \(path) \(answer.status) body")
    }

    func check(_ value: Any, against schemaValue: Any, at place: String) -> [String] {
        let schema = resolve(schemaValue)
        if let type = schema["type"] as? String {
            let ok = switch type {
            case "object": value is [String: Any]
            case "array": value is [Any]
            case "string": value is String
            case "integer": (value as? NSNumber).map { $0.doubleValue == $0.doubleValue.rounded() } ?? false
            case "number": value is NSNumber
            case "boolean": value is Bool
            default: true
            }
            if !ok { return ["\(place): not of type \(type)"] }
        }
        var problems: [String] = []
        if let object = value as? [String: Any] {
            for key in schema["required"] as? [String] ?? [] where object[key] == nil {
                problems.append("\(place): required field \(key) is missing")
            }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (key, property) in properties {
                guard let field = object[key], !(field is NSNull) else { continue }
                problems += check(field, against: property, at: "\(place)/\(key)")
            }
            if schema["additionalProperties"] as? Bool == false {
                for key in object.keys where properties[key] == nil { problems.append("\(place): unexpected field \(key)") }
            }
        }
        if let array = value as? [Any], let items = schema["items"] {
            for (index, item) in array.enumerated() { problems += check(item, against: items, at: "\(place)/\(index)") }
        }
        if let allowed = schema["enum"] as? [Any], !(value is NSNull) {
            let text = "\(value)"
            if !allowed.contains(where: { "\($0)" == text }) { problems.append("\(place): \(text) is not one of \(allowed)") }
        }
        return problems
    }

    /// Follows `$ref: #/components/...` to the object it names.
    func resolve(_ value: Any) -> [String: Any] {
        var current = value as? [String: Any] ?? [:]
        while let reference = current["$ref"] as? String, reference.hasPrefix("#/") {
            var node: Any = document
            for part in reference.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] ?? [:] }
            current = node as? [String: Any] ?? [:]
        }
        return current
    }
}
