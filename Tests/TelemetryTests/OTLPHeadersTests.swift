import Testing
@testable import Telemetry

/// `OTEL_EXPORTER_OTLP_HEADERS` as OpenTelemetry writes it; whatever could forge a header is refused.
@Suite struct OTLPHeadersTests {
    @Test func pairsArePercentDecoded() throws {
        let headers = try #require(OTLPHeaders.parse("authorization=Bearer%20abc, x-tenant = acme"))
        #expect(headers.map(\.0) == ["authorization", "x-tenant"])
        #expect(headers.map(\.1) == ["Bearer abc", "acme"])
        #expect(OTLPHeaders.parse("")?.isEmpty == true)
    }

    @Test(arguments: ["novalue", "=value", "bad name=1", "x=a%0d%0aInjected: 1", "x=%00", "x=%zz", "naïve=1"])
    func anInvalidEntryIsRefused(_ text: String) {
        #expect(OTLPHeaders.parse(text) == nil)
    }
}
