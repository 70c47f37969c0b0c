import Testing
@testable import APIActor

@Suite struct StrictJSONParserTests {
    static func parse(_ text: String) throws(StrictJSONParser.Failure) -> JSONValue {
        try StrictJSONParser.parse(Array(text.utf8))
    }

    static func failure(_ bytes: [UInt8]) -> StrictJSONParser.Failure? {
        do {
            let value = try StrictJSONParser.parse(bytes)
            Issue.record("accepted: \(value)")
            return nil
        } catch {
            return error
        }
    }

    static func failure(_ text: String) -> StrictJSONParser.Failure? { failure(Array(text.utf8)) }

    // MARK: valid documents

    @Test(arguments: [
        ("null", JSONValue.null),
        ("true", .bool(true)),
        ("false", .bool(false)),
        ("0", .number("0")),
        ("-0", .number("-0")),
        ("12", .number("12")),
        ("-12.50", .number("-12.50")),
        ("1.2e1", .number("1.2e1")),
        ("1E+300", .number("1E+300")),
        ("2e-3", .number("2e-3")),
        (#""""#, .string("")),
        (#""a\"b\\c\/d\b\f\n\r\t""#, .string("a\"b\\c/d\u{08}\u{0C}\n\r\t")),
        (#""\u00e9\u00E9""#, .string("éé")),
        (#""\ud83d\ude00""#, .string("😀")),
        ("\"😀 漢字 é\"", .string("😀 漢字 é")),
        ("[]", .array([])),
        ("{}", .object([])),
        (" \t\r\n[ 1 , \"x\" , null ] \n", .array([.number("1"), .string("x"), .null])),
        (#"{"b":1,"a":[true,{"c":null}]}"#, .object([
            (key: "b", value: .number("1")),
            (key: "a", value: .array([.bool(true), .object([(key: "c", value: .null)])])),
        ])),
    ])
    func parsesValidDocuments(text: String, expected: JSONValue) throws {
        #expect(try Self.parse(text) == expected)
    }

    @Test func keepsMemberOrder() throws {
        guard case .object(let members) = try Self.parse(#"{"z":1,"a":2,"m":3}"#) else {
            Issue.record("not an object"); return
        }
        #expect(members.map(\.key) == ["z", "a", "m"])
    }

    @Test(arguments: [
        "123456789012345678901234567890123456789012345678901234567890",
        "1e400",
        "-1e400",
        "0.000000000000000000000000000000000000000000000000001",
        "9223372036854775808",
    ])
    func hugeNumbersAreKeptAsText(text: String) throws {
        #expect(try Self.parse(text) == .number(text))
        #expect(try Self.parse("[\(text)]") == .array([.number(text)]))
    }

    // MARK: duplicate keys

    @Test(arguments: [
        (#"{"amount":1,"amount":2}"#, "/amount"),
        (#"{"amount":1,"currency":"EUR","amount":1}"#, "/amount"),
        (#"{"metadata":{"k":"a","k":"b"}}"#, "/metadata/k"),
        (#"{"a":[{"x":1},{"x":1,"x":2}]}"#, "/a/1/x"),
        (#"{"a/b":1,"a/b":2}"#, "/a~1b"),
        (#"{"~":1,"~":2}"#, "/~0"),
        (#"{"k":1,"\u006b":2}"#, "/k"),
    ])
    func duplicateKeysAreRejectedWithTheirPointer(text: String, pointer: String) throws {
        let failure = try #require(Self.failure(text))
        #expect(failure.pointer == pointer)
        #expect(failure.message.contains("duplicate"))
    }

    @Test func sameKeyInSiblingObjectsIsNoDuplicate() throws {
        _ = try Self.parse(#"{"a":{"k":1},"b":{"k":1},"k":1}"#)
    }

    // MARK: depth

    /// A value's depth is the number of containers around it; deeper than 32 is refused.
    static func nestedArrays(_ count: Int, inner: String = "1") -> String {
        String(repeating: "[", count: count) + inner + String(repeating: "]", count: count)
    }

    static func nestedObjects(_ count: Int, inner: String = "1") -> String {
        String(repeating: #"{"k":"#, count: count) + inner + String(repeating: "}", count: count)
    }

    @Test func thirtyTwoLevelsAreAccepted() throws {
        #expect(StrictJSONParser.maxDepth == 32)
        _ = try Self.parse(Self.nestedArrays(32))
        _ = try Self.parse(Self.nestedObjects(32))
        _ = try Self.parse(Self.nestedArrays(16, inner: Self.nestedObjects(16)))
    }

    @Test(arguments: [
        nestedArrays(33),
        nestedObjects(33),
        nestedArrays(34, inner: ""),
        nestedArrays(17, inner: nestedObjects(16)),
        nestedArrays(100_000, inner: ""),
    ])
    func deeperThanThirtyTwoIsRejected(text: String) throws {
        let failure = try #require(Self.failure(text))
        #expect(failure.message.contains("nested"))
    }

    // MARK: strings

    @Test(arguments: [
        [0xFF],
        [0xC0, 0xAF],                // overlong "/"
        [0xC3],                      // truncated 2-byte sequence
        [0xE2, 0x82],                // truncated 3-byte sequence
        [0xED, 0xA0, 0x80],          // a surrogate encoded as UTF-8
        [0xF4, 0x90, 0x80, 0x80],    // above U+10FFFF
        [0x80],                      // a lone continuation byte
    ] as [[UInt8]])
    func invalidUTF8InAStringIsRejected(bad: [UInt8]) throws {
        let inValue = try #require(Self.failure(Array(#"{"k":"a"#.utf8) + bad + Array(#"b"}"#.utf8)))
        #expect(inValue.message.contains("UTF-8"))
        let inKey = try #require(Self.failure(Array(#"{"a"#.utf8) + bad + Array(#"":1}"#.utf8)))
        #expect(inKey.message.contains("UTF-8"))
        let afterEscape = try #require(Self.failure(Array(#"["\n"#.utf8) + bad + Array(#""]"#.utf8)))
        #expect(afterEscape.message.contains("UTF-8"))
    }

    @Test func invalidBytesOutsideStringsAreRejected() {
        _ = Self.failure([0xFF])
        _ = Self.failure([UInt8(ascii: "[")] + [0xC3, 0xA9] + [UInt8(ascii: "]")])
    }

    @Test(arguments: [
        #""\ud800""#,          // high surrogate at the end
        #""\ud800x""#,         // high surrogate then text
        #""\ud800\u0041""#,    // high surrogate then a non-surrogate escape
        #""\ud800\ud800""#,    // two high surrogates
        #""\udc00""#,          // lone low surrogate
        #""\ude00\ud83d""#,    // reversed pair
        #""\ud800\n""#,        // high surrogate then another escape
    ])
    func unpairedSurrogatesAreRejected(text: String) throws {
        let failure = try #require(Self.failure(text))
        #expect(failure.message.contains("surrogate"))
    }

    @Test(arguments: [0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F] as [UInt8])
    func rawControlCharactersInStringsAreRejected(byte: UInt8) throws {
        let failure = try #require(Self.failure(Array(#"{"k":"a"#.utf8) + [byte] + Array(#""}"#.utf8)))
        #expect(failure.message.contains("control character"))
    }

    @Test func escapedControlCharactersAndDELAreAccepted() throws {
        #expect(try Self.parse(#""\u0001\u001f""#) == .string("\u{01}\u{1F}"))
        #expect(try StrictJSONParser.parse([0x22, 0x7F, 0x22]) == .string("\u{7F}"))
    }

    /// PostgreSQL stores no NUL in text or jsonb, and libpq passes parameters as C strings: a NUL anywhere is
    /// refused here, with the place it was found.
    @Test(arguments: [
        (#""\u0000""#, ""),
        (#"{"a":"x\u0000y"}"#, "/a"),
        (#"{"metadata":{"k":"\u0000"}}"#, "/metadata/k"),
        (#"{"a":[1,{"b":["ok","\u0000"]}]}"#, "/a/1/b/1"),
        (#"{"k\u0000":"v"}"#, ""),
        (#"{"m":{"\u0000":"v"}}"#, "/m"),
        (#"{"a":"\ud83d\ude00\u0000"}"#, "/a"),
    ])
    func escapedNULIsRefusedWithItsPlace(text: String, pointer: String) throws {
        let failure = try #require(Self.failure(text))
        #expect(failure.message.contains("NUL"))
        #expect(failure.pointer == pointer)
    }

    // MARK: syntax

    @Test(arguments: [
        "",
        "   ",
        "{} {}",
        "{}x",
        "[1] ]",
        "1 2",
        "null,",
        "\"a\" \"b\"",
        "{}\u{0}",
    ])
    func trailingDataAndEmptyInputAreRejected(text: String) {
        _ = Self.failure(text)
    }

    @Test func trailingDataIsNamedAsSuch() throws {
        let failure = try #require(Self.failure(#"{"a":1} {"#))
        #expect(failure.message.contains("after the JSON value"))
        #expect(failure.offset == 8)
    }

    @Test(arguments: [
        "{", "[", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\"}", "{\"a\" 1}", "{a:1}", "{'a':1}", "['a']",
        "tru", "nul", "True", "NaN", "Infinity", "-", "+1", "01", "1.", ".5", "1e", "1e+", "0x10", "- 1",
        "\"unterminated", "\"bad \\x escape\"", "\"\\u12\"", "\"\\u12g4\"", "[1 2]", "{\"a\":1 \"b\":2}",
        "\u{FEFF}{}", "/* c */ {}",
    ])
    func malformedDocumentsAreRejected(text: String) {
        _ = Self.failure(text)
    }

    @Test func numbersLongerThanSixtyFourCharactersAreRefused() throws {
        _ = try Self.parse(String(repeating: "9", count: 64))
        _ = try #require(Self.failure(String(repeating: "9", count: 65)))
    }

    @Test func nonDuplicateFailuresHaveNoPointer() throws {
        let failure = try #require(Self.failure("[1,]"))
        #expect(failure.pointer == nil)
    }
}

@Suite struct JSONValueTests {
    @Test(arguments: [
        ("12", 12 as Int?),
        ("12.0", 12),
        ("1.2e1", 12),
        ("120e-1", 12),
        ("-7", -7),
        ("0", 0),
        ("-0", 0),
        ("99999999", 99_999_999),
        ("1e8", 100_000_000),
        ("9223372036854775807", Int.max),
        ("1.5", nil),
        ("0.1", nil),
        ("1e-1", nil),
        ("1e300", nil),
        ("-1e300", nil),
        ("1e400", nil),
        ("9223372036854775808", nil),
        ("123456789012345678901234567890", nil),
        // Judged on the text, exactly: a Double would round these to whole numbers.
        ("1.0000000000000001", nil),
        ("4999.00000000000001", nil),
        ("9007199254740993.5", nil),
        ("12.50e1", 125),
        ("1250e-1", 125),
        ("1250e-3", nil),
        ("1.25E+2", 125),
        ("0.0", 0),
        ("-0.0e5", 0),
        ("0e400", 0),
        ("1e-400", nil),
        ("-4.2e1", -42),
        ("1e99999999999999999999", nil),
    ])
    func integer(text: String, expected: Int?) {
        #expect(JSONValue.number(text).integer == expected)
    }

    @Test(arguments: [JSONValue.string("12"), .null, .bool(true), .array([.number("1")]), .object([])])
    func onlyNumbersAreIntegers(value: JSONValue) {
        #expect(value.integer == nil)
    }

    @Test func typeNames() {
        #expect(JSONValue.null.typeName == "null")
        #expect(JSONValue.bool(false).typeName == "boolean")
        #expect(JSONValue.number("1").typeName == "number")
        #expect(JSONValue.string("").typeName == "string")
        #expect(JSONValue.array([]).typeName == "array")
        #expect(JSONValue.object([]).typeName == "object")
    }

    @Test func objectEqualityRespectsOrder() {
        let ab = JSONValue.object([(key: "a", value: .null), (key: "b", value: .null)])
        let ba = JSONValue.object([(key: "b", value: .null), (key: "a", value: .null)])
        #expect(ab == ab)
        #expect(ab != ba)
    }
}
