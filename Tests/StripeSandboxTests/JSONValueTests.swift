import Foundation
@testable import StripeSandbox
import Testing

@Suite("Sandbox JSON writer")
struct JSONValueTests {
    @Test("plain strings are copied whole; quotes, backslashes and control characters are escaped")
    func escaping() throws {
        let value: JSONValue = .object([
            (key: "id", value: "pi_123"), (key: "note", value: "say \"hi\"\\\n\t\u{01}é"), (key: "n", value: nil),
        ])
        #expect(value.serialized == #"{"id":"pi_123","note":"say \"hi\"\\\n\t\u0001é","n":null}"#)
        let parsed = try JSONSerialization.jsonObject(with: Data(value.serialized.utf8)) as? [String: Any]
        #expect(parsed?["note"] as? String == "say \"hi\"\\\n\t\u{01}é")
    }
}
