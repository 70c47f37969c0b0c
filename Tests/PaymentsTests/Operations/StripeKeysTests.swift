@testable import Payments
import Testing

@Suite struct StripeKeysTests {
    static let base = "5b0e7c6a-3f2d-4e1b-9c8a-7d6e5f4a3b2c"

    @Test func deterministic() {
        #expect(StripeKeys.create(Self.base, attempt: 3) == StripeKeys.create(Self.base, attempt: 3))
        #expect(StripeKeys.confirm(Self.base) == StripeKeys.confirm(Self.base))
        #expect(StripeKeys.capture(Self.base) == StripeKeys.capture(Self.base))
        #expect(StripeKeys.cancel(Self.base) == StripeKeys.cancel(Self.base))
        #expect(StripeKeys.refund(Self.base) == StripeKeys.refund(Self.base))
    }

    @Test func createCarriesTheAttempt() {
        let keys = (0..<5).map { StripeKeys.create(Self.base, attempt: $0) }
        #expect(Set(keys).count == 5)
        for (attempt, key) in keys.enumerated() {
            #expect(key.hasSuffix(String(attempt)))
            #expect(key.hasPrefix(Self.base))
        }
        // 1 and 11 must not collide with any suffix scheme.
        #expect(StripeKeys.create(Self.base, attempt: 1) != StripeKeys.create(Self.base, attempt: 11))
    }

    @Test func everyOperationHasItsOwnKey() {
        let keys = [
            StripeKeys.create(Self.base, attempt: 0), StripeKeys.confirm(Self.base), StripeKeys.capture(Self.base),
            StripeKeys.cancel(Self.base), StripeKeys.refund(Self.base),
        ]
        #expect(Set(keys).count == keys.count)
        let other = "c3d2e1f0-a9b8-4c7d-8e6f-5a4b3c2d1e0f"
        #expect(StripeKeys.confirm(other) != StripeKeys.confirm(Self.base))
        #expect(StripeKeys.create(other, attempt: 0) != StripeKeys.create(Self.base, attempt: 0))
        #expect(StripeKeys.refund(other) != StripeKeys.refund(Self.base))
    }

    @Test func keysFitStripesLimit() {
        // Stripe accepts idempotency keys of up to 255 characters.
        for key in [StripeKeys.create(Self.base, attempt: Int.max), StripeKeys.confirm(Self.base), StripeKeys.refund(Self.base)] {
            #expect(key.utf8.count <= 255)
        }
    }
}
