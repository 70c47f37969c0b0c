import Foundation

/// One JSON text to hold against `openapi.json`: a component schema's instance, or an operation's answer.
public struct OpenAPICase: Sendable {
    let fields: [String: String]
    let status: Int?

    /// `body` must be an instance of `#/components/schemas/<name>`.
    public static func schema(_ name: String, body: String) -> OpenAPICase {
        OpenAPICase(fields: ["schema": name, "body": body], status: nil)
    }

    /// `body` must be what the document says `method` on the documented `path` answers with `status` and
    /// `contentType`.
    public static func answer(_ method: String, _ path: String, status: Int, contentType: String?, body: [UInt8]) -> OpenAPICase {
        OpenAPICase(
            fields: ["method": method, "path": path, "contentType": contentType ?? "", "body": String(decoding: body, as: UTF8.self)],
            status: status)
    }

    var object: [String: Any] {
        var object: [String: Any] = fields
        if let status { object["status"] = status }
        return object
    }
}

/// Validates answers against the OpenAPI document's schemas with a real validator (Python `jsonschema`, running
/// `Sandbox/scripts/validate-openapi.py`): formats enforced, every object closed to undocumented fields.
public enum OpenAPISchemaCheck {
    /// The document's source, which the binary embeds (`OpenAPIDocumentFileTests` holds them equal).
    public static var document: URL { EventSchemaCheck.packageRoot.appendingPathComponent("openapi.json") }

    /// Checks every case in one run of the validator; `failure` is nil when all of them conform.
    public static func run(_ cases: [OpenAPICase]) throws -> PythonScript.Result {
        let input = try JSONSerialization.data(withJSONObject: cases.map(\.object))
        return try PythonScript.run(script: "validate-openapi.py", arguments: [document.path], input: input)
    }
}
