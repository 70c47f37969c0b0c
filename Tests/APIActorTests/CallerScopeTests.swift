import Testing

@testable import APIActor

@Suite struct CallerScopeTests {
    /// Scopes are stored with idempotency keys: the digest must never change. The first 16 bytes of
    /// SHA-256("Bearer alpha"), computed with Python's hashlib.
    @Test func scopeIsAStableDigestOfTheToken() {
        #expect(CallerScope.of(token: "alpha") == "4045d2821239c7d0d40c57571f43fe74")
        #expect(CallerScope.of(token: "beta") != CallerScope.of(token: "alpha"))
    }
}
