import Testing
import Payments
import StripeModels

private typealias F = OperationFixtures

/// The hold's deadline: recorded from `capture_before`, warned of, refused past, and an expiry told from a void.
@Suite struct HoldExpiryTests {
    static func payment(_ status: PaymentStatus, expiresAt: String?, voidReason: VoidReason? = nil) -> Payment {
        var p = Payment(
            paymentId: F.paymentId, cartId: "c", orderId: F.orderId, customerId: nil, amount: 5000, currency: "EUR", status: status,
            capture: .manual, processorReference: F.intentId, createdAt: "t", updatedAt: "t")
        p.authorizationExpiresAt = expiresAt
        p.voidReason = voidReason
        return p
    }

    @Test("unix seconds become the store's RFC 3339 form", arguments: [
        (0, "1970-01-01T00:00:00.000Z"), (1_714_566_896, "2024-05-01T12:34:56.000Z"), (951_782_400, "2000-02-29T00:00:00.000Z"),
        (4_102_444_799, "2099-12-31T23:59:59.000Z"), (-1, "1969-12-31T23:59:59.000Z"),
    ])
    func rfc3339(seconds: Int, text: String) {
        #expect(UnixTime.rfc3339(seconds) == text)
    }

    @Test("a hold placed with a capture_before records it as authorizationExpiresAt")
    func recorded() {
        var intent = F.intent(.requiresCapture, capturable: 4999)
        intent.charge = StripeCharge(id: "ch_1", outcome: nil, captureBefore: 1_714_566_896)
        guard case .finish(let outcome) = AuthorizationDecision.afterReadBack(intent) else { Issue.record("not finished"); return }
        #expect(outcome == .authorized(reference: F.intentId, expiresAt: 1_714_566_896))
        #expect(outcome.record(for: F.operation(), at: F.time).0.authorizationExpiresAt == "2024-05-01T12:34:56.000Z")
    }

    @Test("an intent cancelled automatic is an expiry: VOIDED with EXPIRED and payment-authorization-expired, never payment-voided")
    func expired() {
        var intent = F.intent(.canceled)
        intent.cancellationReason = "automatic"
        guard case .finish(let outcome) = AuthorizationDecision.afterReadBack(intent) else { Issue.record("not finished"); return }
        let (change, events) = outcome.record(for: F.operation(), at: F.time)
        #expect(change.status == .voided && change.voidReason == .expired)
        #expect(events.map(\.type) == ["payment-authorization-expired"])
        #expect(CaptureVoidDecision.afterReadBack(intent) == .settled(.voided(reference: F.intentId, expired: true)))
        intent.cancellationReason = "requested_by_customer"
        let (voided, voidEvents) = AuthorizationOutcome.voided(reference: F.intentId).record(for: F.operation(), at: F.time)
        #expect(CaptureVoidDecision.afterReadBack(intent) == .settled(.voided(reference: F.intentId)))
        #expect(voided.voidReason == nil && voidEvents.map(\.type) == ["payment-voided"], "the store takes the void operation's reason")
    }

    @Test("a capture after expiry is refused naming it, as is one past the deadline; before it, it goes ahead")
    func captureRefused() {
        let gone = Self.payment(.voided, expiresAt: "2024-05-01T12:00:00.000Z", voidReason: .expired)
        #expect(HoldExpiry.captureRefusal(gone, now: "2024-05-02T00:00:00.000Z")?.contains("expired") == true)
        guard case .conflict(let reason) = LifecycleDecision.capture(payment: gone, operations: [], amount: nil, now: "2024-05-02T00:00:00.000Z")
        else { Issue.record("captured after expiry"); return }
        #expect(reason.contains("expired"))
        let due = Self.payment(.authorized, expiresAt: "2024-05-01T12:00:00.000Z")
        #expect(HoldExpiry.captureRefusal(due, now: "2024-05-01T12:00:00.001Z") != nil)
        #expect(HoldExpiry.captureRefusal(due, now: "2024-05-01T11:59:59.999Z") == nil)
        #expect(HoldExpiry.captureRefusal(Self.payment(.authorized, expiresAt: nil), now: "2099-01-01T00:00:00.000Z") == nil)
    }

    @Test("a void's reason: AUTHENTICATION while the customer is awaited, else CLIENT")
    func voidReasons() {
        #expect(VoidReason.requested(on: .requiresAction) == .authentication)
        #expect(VoidReason.requested(on: .authorized) == .client && VoidReason.requested(on: .requested) == .client)
    }

    @Test("the warning carries the deadline; a payment without a hold or deadline has none")
    func warning() {
        let event = HoldExpiry.warning(for: Self.payment(.authorized, expiresAt: "2024-05-01T12:00:00.000Z"), at: F.time)
        #expect(event?.type == "payment-authorization-expiring" && event?.dataJSON.contains("\"expiresAt\":\"2024-05-01T12:00:00.000Z\"") == true)
        #expect(HoldExpiry.warning(for: Self.payment(.captured, expiresAt: "2024-05-01T12:00:00.000Z"), at: F.time) == nil)
        #expect(HoldExpiry.warning(for: Self.payment(.authorized, expiresAt: nil), at: F.time) == nil)
    }
}
