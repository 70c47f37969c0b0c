import Foundation
import Testing
import TestSupport
@testable import APIActor

/// `openapi.json` is the one source of the document: the binary serves the copy generated from it, and the
/// document is a valid OpenAPI 3.1 description by `openapi-spec-validator`.
@Suite("openapi.json: the embedded copy and the validator")
struct OpenAPIDocumentFileTests {
    @Test("the served document is openapi.json byte for byte")
    func embeddedCopyIsCurrent() throws {
        let source = try String(contentsOf: OpenAPISchemaCheck.document, encoding: .utf8)
        #expect(
            OpenAPIDocument.json == source,
            "Sources/APIActor/OpenAPI/OpenAPIDocument+Generated.swift differs from openapi.json: run `python3 Sandbox/scripts/generate-openapi-swift.py` and commit both")
    }

    @Test("openapi-spec-validator accepts the document")
    func validatorAccepts() throws {
        let result = try PythonScript.run(["-m", "openapi_spec_validator", OpenAPISchemaCheck.document.path])
        #expect(result.failure == nil, "\(result.failure ?? "")")
        #expect(result.output.contains("OK"), "\(result.output)")
    }

    @Test("the validator's run fails on a broken document, so a pass means something")
    func validatorRefusesABrokenDocument() throws {
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-broken-\(UUID().uuidString.prefix(8)).json")
        try Data(#"{"openapi": "3.1.0", "info": {"title": "x"}, "paths": {"/a": {"get": {"responses": {"200": {}}}}}}"#.utf8).write(to: broken)
        defer { try? FileManager.default.removeItem(at: broken) }
        let result = try PythonScript.run(["-m", "openapi_spec_validator", broken.path])
        #expect(result.status != 0, "\(result.output)")
        #expect(!result.output.contains("No module named"), "\(result.output)")
    }
}
