import Testing
@testable import Telemetry

/// W3C Trace Context's `traceparent`: what is honoured, what is ignored (a new trace starts instead).
@Suite struct TraceContextTests {
    static let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test func aValidHeaderRoundTrips() throws {
        let trace = try #require(TraceContext(traceparent: Self.valid))
        #expect(trace.traceIDHex == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(trace.spanIDHex == "00f067aa0ba902b7")
        #expect(trace.sampled)
        #expect(trace.traceparent == Self.valid)
    }

    @Test func theSampledFlagIsTheLowestBit() throws {
        #expect(try #require(TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")).sampled == false)
        #expect(try #require(TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03")).sampled)
    }

    @Test func aLaterVersionMayCarryMoreAfterADash() {
        #expect(TraceContext(traceparent: "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra") != nil)
        #expect(TraceContext(traceparent: "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") != nil)
    }

    @Test(arguments: [
        "",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",  // version 00 is exactly 55 characters
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // version ff is invalid
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper case
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // all-zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // all-zero span id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",  // more without the dash
        "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",
        "00-４bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",  // a fullwidth digit
    ])
    func anInvalidHeaderIsIgnored(_ header: String) {
        #expect(TraceContext(traceparent: header) == nil)
    }

    @Test func aChildKeepsTheTraceAndTakesANewSpan() throws {
        let parent = try #require(TraceContext(traceparent: Self.valid))
        let child = parent.child()
        #expect(child.traceID == parent.traceID)
        #expect(child.spanID != parent.spanID)
        #expect(child.sampled == parent.sampled)
    }

    @Test func rootsAreRandomAndSampled() {
        let a = TraceContext.root(), b = TraceContext.root()
        #expect(a.traceID != b.traceID)
        #expect(a.traceID.count == 16 && a.spanID.count == 8 && a.sampled)
    }

    @Test func aContextContinuesAStoredTraceparentOrNone() {
        #expect(InstrumentationContext.continuing(Self.valid).traceContext?.traceparent == Self.valid)
        #expect(InstrumentationContext.continuing(nil).traceContext == nil)
        #expect(InstrumentationContext.continuing("garbage").traceContext == nil)
    }
}
