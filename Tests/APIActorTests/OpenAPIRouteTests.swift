import Foundation
import Logging
import Payments
import Store
import Testing
@testable import APIActor

/// The document and the router cannot drift: every registered route is documented and every documented
/// route is registered.
@Suite("OpenAPI document against the router")
struct OpenAPIRouteTests {
    @Test("the router's routes and the document's operations are the same set")
    func sameRoutes() throws {
        let database = Database(url: "postgresql://nobody@127.0.0.1:1/none", poolSize: 1, logger: Logger(label: "test"))
        let router = PaymentAPI.makeRouter(
            configuration: APIConfiguration(), database: database, intake: PaymentIntake(database: database))
        let registered = Set(router.routes.map { route in
            let path = route.path.description.split(separator: "/").map { $0.hasPrefix(":") || $0.hasPrefix("{") ? "{}" : String($0) }
            return "\(route.method) /" + path.joined(separator: "/")
        })
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let documented = Set(paths.flatMap { path, item in
            item.keys.map { method in
                let normalized = path.split(separator: "/").map { $0.hasPrefix("{") ? "{}" : String($0) }
                return "\(method.uppercased()) /" + normalized.joined(separator: "/")
            }
        })
        #expect(registered.count >= 14)
        #expect(registered.subtracting(documented).isEmpty, "registered, not documented: \(registered.subtracting(documented).sorted())")
        #expect(documented.subtracting(registered).isEmpty, "documented, not registered: \(documented.subtracting(registered).sorted())")
    }

    @Test("the document states the limits the service enforces: currencies, amounts, cursors")
    func limitsAgree() throws {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        func node(_ path: String) -> Any? {
            path.split(separator: "/").reduce(document as Any?) { ($0 as? [String: Any])?[String($1)] }
        }
        let currencies = try #require(node("components/schemas/AuthorizePayment/properties/currency/enum") as? [String])
        #expect(Set(currencies) == Currency.known)
        for schema in ["AuthorizePayment", "CaptureRequest", "RefundRequest"] {
            #expect(node("components/schemas/\(schema)/properties/amount/maximum") as? Int == AuthorizeCommandValidator.amountRange.upperBound)
            #expect(node("components/schemas/\(schema)/properties/amount/minimum") as? Int == AuthorizeCommandValidator.amountRange.lowerBound)
        }
        let pattern = try #require(node("components/parameters/Cursor/schema/pattern") as? String)
        let regex = try NSRegularExpression(pattern: pattern)
        for text in ["0-0", "1-2", "9999999999999999999-999999999999999999", "", "-", "1-", "12345678901234567890-1", "1-1234567890123456789", "1-2-3", "a-1", " 1-2"] {
            let matches = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            #expect(matches == (EventCursor(text) != nil), "\(text)")
        }
    }

    @Test("every $ref in the document resolves")
    func references() throws {
        let text = OpenAPIDocument.json
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let pattern = try NSRegularExpression(pattern: "\"\\$ref\": \"#/([^\"]+)\"")
        let matches = pattern.matches(in: text, range: NSRange(text.startIndex..., in: text))
        #expect(matches.count > 20)
        for match in matches {
            let reference = String(text[Range(match.range(at: 1), in: text)!])
            var node: Any? = document
            for part in reference.split(separator: "/") { node = (node as? [String: Any])?[String(part)] }
            #expect(node != nil, "unresolved $ref #/\(reference)")
        }
    }
}
