import Foundation

/// Validates events against the contract's JSON Schemas with a real validator: the Python `jsonschema` package
/// (`make test` installs it), running `Sandbox/scripts/validate-events.py` over the feed's JSON.
public enum EventSchemaCheck {
    /// The package root (this file is `Tests/TestSupport/…`).
    public static var packageRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }

    /// The contract's own schemas, `../shared/spec/schemas` beside the package, when the checkout has them.
    public static var contractSchemas: URL { packageRoot.appendingPathComponent("../shared/spec/schemas").standardizedFileURL }

    /// The copy kept in the repository (`Tests/Fixtures/schemas`), so a lone clone validates too;
    /// `SchemaCopyTests` holds it equal to the contract's wherever both are present.
    public static var vendoredSchemas: URL { packageRoot.appendingPathComponent("Tests/Fixtures/schemas") }

    /// The contract's schemas when present, else the repository's copy.
    public static var schemas: URL {
        FileManager.default.fileExists(atPath: contractSchemas.path) ? contractSchemas : vendoredSchemas
    }

    /// Runs the validator over `feed` (a `GET /events` answer, or a JSON array of events); returns its exit
    /// status and everything it printed.
    public static func run(feed: [UInt8]) throws -> (status: Int32, output: String) {
        // The contract's nine first, then this project's extension schemas beside the copy.
        let result = try PythonScript.run(
            script: "validate-events.py", arguments: [schemas.path, vendoredSchemas.path], input: Data(feed))
        return (result.status, result.output)
    }
}
