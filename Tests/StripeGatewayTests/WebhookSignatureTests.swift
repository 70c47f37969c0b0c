import Testing
@testable import StripeGateway

@Suite struct WebhookSignatureTests {
    static let payload = Array(#"{"id":"evt_1"}"#.utf8)
    static let secret = "whsec_test"
    static let otherSecret = "whsec_other"
    static let t = 1_700_000_000
    /// HMAC-SHA256("whsec_test", "1700000000." + payload), computed with Python's hmac module.
    static let knownSignature = "c89214b5b5da833daed6f0b8c5bb6bd58cea9022bd80ccc78230f3942d632925"

    @Test func headerMatchesAnIndependentlyComputedSignature() {
        #expect(WebhookSignature.header(payload: Self.payload, secrets: [Self.secret], timestamp: Self.t) == "t=\(Self.t),v1=\(Self.knownSignature)")
    }

    /// A secret longer than SHA-256's 64-byte block is hashed first (RFC 2104); computed with Python's hmac module.
    @Test func aLongSecretSignsLikeAnyHMAC() {
        let secret = "whsec_" + String(repeating: "k", count: 100)
        let header = WebhookSignature.header(payload: Self.payload, secrets: [secret], timestamp: Self.t)
        #expect(header == "t=\(Self.t),v1=49ced0291986641c660958edcfea333b1b75cd707ea4087a35ffc2d415760a16")
    }

    @Test func headerCarriesOneV1PerSecret() {
        let header = WebhookSignature.header(payload: Self.payload, secrets: [Self.otherSecret, Self.secret], timestamp: Self.t)
        #expect(header.split(separator: ",").count == 3)
        #expect(header.hasSuffix(",v1=\(Self.knownSignature)"))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var header: String?
        var secrets: [String]
        var now: Int
        var expected: WebhookSignatureError.Code?
        var testDescription: String { name }
    }

    static let good = "t=\(t),v1=\(knownSignature)"

    static let cases: [Case] = [
        Case(name: "valid", header: good, secrets: [secret], now: t, expected: nil),
        Case(name: "valid at the edge of tolerance", header: good, secrets: [secret], now: t + 300, expected: nil),
        Case(name: "valid, secret among several", header: good, secrets: [otherSecret, secret], now: t, expected: nil),
        Case(
            name: "two v1, the second valid", header: "t=\(t),v1=\(String(repeating: "0", count: 64)),v1=\(knownSignature)",
            secrets: [secret], now: t, expected: nil
        ),
        Case(name: "upper-case hex", header: "t=\(t),v1=\(knownSignature.uppercased())", secrets: [secret], now: t, expected: nil),
        Case(name: "v0 ignored beside v1", header: "t=\(t),v0=abc,v1=\(knownSignature)", secrets: [secret], now: t, expected: nil),
        Case(name: "spaces around items", header: " t=\(t) , v1=\(knownSignature) ", secrets: [secret], now: t, expected: nil),
        Case(name: "wrong secret", header: good, secrets: [otherSecret], now: t, expected: .noMatchingSignature),
        Case(name: "no secrets configured", header: good, secrets: [], now: t, expected: .noMatchingSignature),
        Case(name: "tampered signature", header: "t=\(t),v1=\(knownSignature.dropLast())0", secrets: [secret], now: t, expected: .noMatchingSignature),
        Case(name: "signature for another timestamp", header: "t=\(t + 1),v1=\(knownSignature)", secrets: [secret], now: t, expected: .noMatchingSignature),
        Case(name: "stale", header: good, secrets: [secret], now: t + 301, expected: .staleTimestamp),
        Case(name: "future", header: good, secrets: [secret], now: t - 301, expected: .futureTimestamp),
        Case(name: "missing", header: nil, secrets: [secret], now: t, expected: .missingHeader),
        Case(name: "empty", header: "  ", secrets: [secret], now: t, expected: .missingHeader),
        Case(name: "no timestamp", header: "v1=\(knownSignature)", secrets: [secret], now: t, expected: .malformedHeader),
        Case(name: "timestamp not a number", header: "t=soon,v1=\(knownSignature)", secrets: [secret], now: t, expected: .malformedHeader),
        Case(name: "no v1", header: "t=\(t),v0=\(knownSignature)", secrets: [secret], now: t, expected: .malformedHeader),
        Case(name: "garbage", header: "garbage", secrets: [secret], now: t, expected: .malformedHeader),
    ]

    @Test(arguments: cases)
    func verification(_ testCase: Case) {
        do {
            try WebhookSignature.verify(payload: Self.payload, header: testCase.header, secrets: testCase.secrets, now: testCase.now)
            #expect(testCase.expected == nil)
        } catch {
            #expect(error.code == testCase.expected)
        }
    }

    @Test func changedBodyFails() {
        var payload = Self.payload
        payload[payload.count - 2] = UInt8(ascii: "2")
        #expect(throws: WebhookSignatureError.self) {
            try WebhookSignature.verify(payload: payload, header: Self.good, secrets: [Self.secret], now: Self.t)
        }
    }

    @Test func customTolerance() throws {
        let header = WebhookSignature.header(payload: Self.payload, secrets: [Self.secret], timestamp: Self.t)
        try WebhookSignature.verify(payload: Self.payload, header: header, secrets: [Self.secret], now: Self.t + 10, tolerance: 10)
        #expect(throws: WebhookSignatureError(.staleTimestamp, "signed 11 s ago, tolerance 10 s")) {
            try WebhookSignature.verify(payload: Self.payload, header: header, secrets: [Self.secret], now: Self.t + 11, tolerance: 10)
        }
    }

    @Test func roundTripsDuringARotation() throws {
        let header = WebhookSignature.header(payload: Self.payload, secrets: [Self.otherSecret, Self.secret], timestamp: Self.t)
        try WebhookSignature.verify(payload: Self.payload, header: header, secrets: [Self.secret], now: Self.t)
        try WebhookSignature.verify(payload: Self.payload, header: header, secrets: [Self.otherSecret], now: Self.t)
    }
}
