import Testing
@testable import Payments

@Suite("UUIDText: ids from the processor's metadata")
struct UUIDTextTests {
    @Test("a UUID's text, lower-cased; fullwidth digits, other shapes and non-hex letters are nothing")
    func valid() {
        #expect(UUIDText.valid("3F0C1B2A-0000-4000-8000-00000000ABCD") == "3f0c1b2a-0000-4000-8000-00000000abcd")
        for text in ["\u{FF10}f0c1b2a-0000-4000-8000-00000000abcd", "3f0c1b2a-0000-4000-8000-00000000abcg", "3f0c1b2a00004000800000000000abcd", ""] {
            #expect(UUIDText.valid(text) == nil, "\(text)")
        }
    }
}
