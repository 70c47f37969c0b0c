import Foundation
import Testing
import Support

/// `JSONString.quoted`: RFC 8259 string literals.
@Suite struct JSONStringTests {
    @Test(arguments: [
        ("", #""""#),
        ("plain", #""plain""#),
        ("say \"hi\"", #""say \"hi\"""#),
        ("back\\slash", #""back\\slash""#),
        ("line\nfeed", #""line\nfeed""#),
        ("carriage\rreturn", #""carriage\rreturn""#),
        ("tab\there", #""tab\there""#),
        ("\u{00}", #""\u0000""#),
        ("\u{08}", #""\u0008""#),
        ("\u{0C}", #""\u000c""#),
        ("\u{1F}", #""\u001f""#),
        ("\u{7F}", "\"\u{7F}\""),
        ("/", #""/""#),
        ("é ü 漢字", "\"é ü 漢字\""),
        ("😀", "\"😀\""),
        ("\u{2028}", "\"\u{2028}\""),
    ])
    func quotes(input: String, expected: String) {
        #expect(JSONString.quoted(input) == expected)
    }

    @Test func everyControlCharacterIsEscapedAndRoundTrips() throws {
        let all = String(String.UnicodeScalarView((0..<0x20 as Range<UInt8>).map { Unicode.Scalar($0) })) + "\"\\ end"
        let quoted = JSONString.quoted(all)
        #expect(!quoted.unicodeScalars.contains { $0.value < 0x20 })
        let parsed = try JSONSerialization.jsonObject(with: Data(quoted.utf8), options: .fragmentsAllowed)
        #expect(parsed as? String == all)
    }

    @Test func decomposedCharactersAreKeptScalarForScalar() {
        let decomposed = "e\u{301}"
        #expect(Array(JSONString.quoted(decomposed).unicodeScalars) == Array("\"e\u{301}\"".unicodeScalars))
    }
}
