import Foundation
import Testing
import TestSupport

/// The event schema check validates against the contract's schemas beside the checkout, or against the copy in
/// `Tests/Fixtures/schemas` in a lone clone. The copy must be whole and, wherever the contract is present, equal;
/// this project's extension events have their schemas beside it.
@Suite("Schema copy")
struct SchemaCopyTests {
    static let names = [
        "authorize-payment", "payment-captured", "payment-failed", "payment-requested", "payment-succeeded",
        "payment-voided", "refund-failed", "refund-processed", "refund-requested",
    ].map { $0 + ".schema.json" }

    @Test("every schema is in the repository's copy and parses as a JSON object")
    func copyIsWhole() throws {
        for name in Self.names {
            let data = try Data(contentsOf: EventSchemaCheck.vendoredSchemas.appendingPathComponent(name))
            #expect(try JSONSerialization.jsonObject(with: data) is [String: Any], "\(name)")
        }
    }

    /// This project's extension events, whose schemas live beside the contract's copies (never in the contract).
    static let extensions = [
        "payment-action-required", "payment-review-opened", "payment-review-closed", "payment-authorization-expiring",
        "payment-authorization-expired", "payment-disputed", "dispute-funds-withdrawn", "dispute-funds-reinstated", "dispute-closed",
    ].map { $0 + ".schema.json" }

    @Test("the extension events' schemas are beside the copy, parse, and are none of the contract's nine")
    func extensionsStandBeside() throws {
        let copy = try FileManager.default.contentsOfDirectory(atPath: EventSchemaCheck.vendoredSchemas.path).filter { $0.hasSuffix(".json") }
        #expect(Set(copy) == Set(Self.names + Self.extensions), "\(copy.sorted())")
        #expect(Set(Self.extensions).isDisjoint(with: Self.names))
        for name in Self.extensions {
            let data = try Data(contentsOf: EventSchemaCheck.vendoredSchemas.appendingPathComponent(name))
            let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(name)")
            #expect(schema["additionalProperties"] as? Bool == false, "\(name)")
        }
    }

    @Test("the copy equals the contract's schemas, file for file, when the contract is beside the checkout")
    func copyMatchesContract() throws {
        let contract = EventSchemaCheck.contractSchemas
        guard FileManager.default.fileExists(atPath: contract.path) else {
            // A lone clone: nothing to compare with; `copyIsWhole` still holds the copy.
            return
        }
        let contractNames = try FileManager.default.contentsOfDirectory(atPath: contract.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(contractNames == Self.names.sorted())
        for name in contractNames {
            let original = try Data(contentsOf: contract.appendingPathComponent(name))
            let copy = try Data(contentsOf: EventSchemaCheck.vendoredSchemas.appendingPathComponent(name))
            #expect(copy == original, "\(name) differs from the contract's: copy it again into Tests/Fixtures/schemas")
        }
    }
}
