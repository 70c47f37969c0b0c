import StripeModels
import Testing
@testable import Payments

/// Matching processor objects to the record and classifying what disagrees: each kind, and which are safe to heal.
@Suite("Reconciliation: matching and classifying")
struct ReconciliationMatcherTests {
    typealias F = ReconciliationFixtures

    static func findings(_ snapshot: ProcessorSnapshot, _ payments: [RecordedPayment]) -> [Finding] {
        ReconciliationMatcher.findings(snapshot, ReconciliationRecord(contexts: payments))
    }

    @Test("agreeing records and objects find nothing")
    func agreement() {
        let payment = F.recorded(.captured, captured: 4999, refunds: [F.refund(.processed)], disputes: [F.recordedDispute("needs_response")])
        let snapshot = ProcessorSnapshot(
            intents: [F.intent(.succeeded, received: 4999)], refunds: [F.processorRefund(.succeeded)], disputes: [F.dispute("needs_response")])
        #expect(Self.findings(snapshot, [payment]).isEmpty)
    }

    @Test("an intent with our metadata and no payment is missing here, never healed; one without our metadata is not ours")
    func missingHere() {
        let stranger = "0b9d7c1e-4a2f-4e8b-9c3d-5f6a7b8c9d01"
        let found = Self.findings(ProcessorSnapshot(intents: [
            F.intent(.requiresCapture, id: "pi_stray", paymentId: stranger), F.intent(.requiresCapture, id: "pi_other", paymentId: nil),
        ]), [])
        #expect(found.map(\.kind) == [.missingHere])
        #expect(found.first?.paymentId == stranger)
        #expect(found.first?.heal == Heal.none)
        #expect(found.first?.subject == .intent("pi_stray"))
    }

    @Test("a processor status ahead of the record is healed by a sync; one behind it, never")
    func statusMismatch() {
        let ahead = Self.findings(ProcessorSnapshot(intents: [F.intent(.canceled)]), [F.recorded(.authorized)])
        #expect(ahead.map(\.kind) == [.statusMismatch])
        #expect(ahead.first?.heal == .sync(paymentId: F.paymentId))
        let behind = Self.findings(ProcessorSnapshot(intents: [F.intent(.requiresCapture)]), [F.recorded(.captured, captured: 4999)])
        #expect(behind.map(\.kind) == [.statusMismatch])
        #expect(behind.first?.heal == Heal.none)
        let tookMoney = Self.findings(ProcessorSnapshot(intents: [F.intent(.succeeded, received: 4999)]), [F.recorded(.voided)])
        #expect(tookMoney.first?.heal == Heal.none)
    }

    @Test("a hold on a FAILED or VOIDED payment's own intent is an orphan hold the sync releases")
    func orphanHoldOnOwnIntent() {
        for status in [PaymentStatus.failed, .voided] {
            let found = Self.findings(ProcessorSnapshot(intents: [F.intent(.requiresCapture)]), [F.recorded(status)])
            #expect(found.map(\.kind) == [.orphanHold])
            #expect(found.first?.heal == .sync(paymentId: F.paymentId))
        }
    }

    @Test("a second intent holding money is cancelled under a key of its own, unless the authorization is unfinished")
    func secondIntent() {
        let second = F.intent(.requiresCapture, id: "pi_second")
        let found = Self.findings(ProcessorSnapshot(intents: [F.intent(.requiresCapture), second]), [F.recorded(.authorized)])
        #expect(found.map(\.kind) == [.orphanHold])
        #expect(found.first?.heal == .cancelIntent(id: "pi_second", idempotencyKey: "reconcile:cancel:pi_second"))
        let busy = F.recorded(.requested, reference: nil, open: [OpenOperation(kind: .authorize, status: .queued)])
        #expect(Self.findings(ProcessorSnapshot(intents: [second]), [busy]).first?.heal == Heal.none)
        let parked = F.recorded(.requested, reference: nil, open: [OpenOperation(kind: .authorize, status: .parked)])
        #expect(Self.findings(ProcessorSnapshot(intents: [second]), [parked]).first?.heal == Heal.none)
        let took = Self.findings(ProcessorSnapshot(intents: [F.intent(.succeeded, id: "pi_second", received: 4999)]), [F.recorded(.captured)])
        #expect(took.map(\.kind) == [.orphanHold])
        #expect(took.first?.heal == Heal.none)
    }

    @Test("a second intent that holds nothing (an unconfirmed leftover of a create, or cancelled) is no discrepancy")
    func harmlessSecondIntent() {
        let leftovers = [F.intent(.requiresPaymentMethod, id: "pi_left"), F.intent(.canceled, id: "pi_gone")]
        #expect(Self.findings(ProcessorSnapshot(intents: leftovers), [F.recorded(.authorized)]).isEmpty)
    }

    @Test("amounts: the intent's amount and currency, and what a capture received, are reported, never healed")
    func amountMismatch() {
        let found = Self.findings(ProcessorSnapshot(intents: [F.intent(.succeeded, amount: 5000, received: 3000)]), [F.recorded(.captured, captured: 2000)])
        #expect(found.map(\.kind) == [.amountMismatch])
        #expect(found.first?.heal == Heal.none)
        #expect(found.first?.detail.contains("captured 3000 at the processor, 2000 here") == true)
    }

    @Test("a refund made elsewhere is missing here and healed by a sync; one naming an unknown refund_id is reported")
    func refundMissingHere() {
        let dashboard = Self.findings(ProcessorSnapshot(refunds: [F.processorRefund(.succeeded, id: "re_dash", refundId: nil)]), [F.recorded(.captured, captured: 4999)])
        #expect(dashboard.map(\.kind) == [.missingHere])
        #expect(dashboard.first?.heal == .sync(paymentId: F.paymentId))
        let unknown = Self.findings(ProcessorSnapshot(refunds: [F.processorRefund(.succeeded)]), [F.recorded(.captured, captured: 4999)])
        #expect(unknown.first?.heal == Heal.none)
    }

    @Test("a refund's status moves forward by a sync; backwards is reported; its amount is reported")
    func refundStatus() {
        let forward = Self.findings(ProcessorSnapshot(refunds: [F.processorRefund(.failed)]), [F.recorded(.captured, refunds: [F.refund(.processed)])])
        #expect(forward.map(\.kind) == [.statusMismatch])
        #expect(forward.first?.heal == .sync(paymentId: F.paymentId))
        let backward = Self.findings(ProcessorSnapshot(refunds: [F.processorRefund(.succeeded)]), [F.recorded(.captured, refunds: [F.refund(.failed)])])
        #expect(backward.first?.heal == Heal.none)
        let pending = Self.findings(ProcessorSnapshot(refunds: [F.processorRefund(.pending)]), [F.recorded(.captured, refunds: [F.refund(.requested)])])
        #expect(pending.isEmpty)
        let amount = Self.findings(ProcessorSnapshot(refunds: [F.processorRefund(.succeeded, amount: 900)]), [F.recorded(.captured, refunds: [F.refund(.processed)])])
        #expect(amount.map(\.kind) == [.amountMismatch])
    }

    @Test("a dispute not recorded, or in another status, is read back by the dispute operation; a refund or dispute of no payment of ours is ignored")
    func disputes() {
        let missing = Self.findings(ProcessorSnapshot(disputes: [F.dispute("needs_response")]), [F.recorded(.captured)])
        #expect(missing.map(\.kind) == [.missingHere])
        #expect(missing.first?.heal == .readDispute(paymentId: F.paymentId, disputeReference: "dp_1"))
        let moved = Self.findings(
            ProcessorSnapshot(disputes: [F.dispute("lost")]), [F.recorded(.captured, disputes: [F.recordedDispute("needs_response")])])
        #expect(moved.map(\.kind) == [.statusMismatch])
        #expect(moved.first?.heal == .readDispute(paymentId: F.paymentId, disputeReference: "dp_1"))
        #expect(Self.findings(ProcessorSnapshot(refunds: [F.processorRefund(.succeeded)], disputes: [F.dispute("lost")]), []).isEmpty)
    }

    @Test("references recorded in the window that the lists did not show are to be confirmed; a 404 is missing at the processor")
    func unlisted() {
        let payment = F.recorded(.captured, captured: 4999, refunds: [F.refund(.processed)])
        let record = ReconciliationRecord(contexts: [payment], recordedInWindow: [F.intentId, "re_1"])
        #expect(ReconciliationMatcher.unlisted(ProcessorSnapshot(), record) == [.intent(F.intentId), .refund("re_1")])
        #expect(ReconciliationMatcher.unlisted(ProcessorSnapshot(intents: [F.intent(.succeeded, received: 4999)]), record) == [.refund("re_1")])
        let outside = ReconciliationRecord(contexts: [payment])
        #expect(ReconciliationMatcher.unlisted(ProcessorSnapshot(), outside).isEmpty)
        #expect(ReconciliationMatcher.findings(of: .intent(F.intentId), object: nil, record).map(\.kind) == [.missingAtProcessor])
        #expect(ReconciliationMatcher.findings(of: .refund("re_1"), object: nil, record).map(\.kind) == [.missingAtProcessor])
    }

    @Test("an intent is matched by the payment recording it before the payment its metadata names")
    func matchByReference() {
        let record = ReconciliationRecord(contexts: [F.recorded(.authorized)])
        #expect(record.context(forIntent: F.intent(.requiresCapture, paymentId: nil))?.payment.paymentId == F.paymentId)
        #expect(record.context(forIntent: F.intent(.requiresCapture, id: "pi_x", paymentId: F.paymentId.uppercased()))?.payment.paymentId == F.paymentId)
        #expect(record.context(forIntent: F.intent(.requiresCapture, id: "pi_x", paymentId: "not-a-uuid")) == nil)
    }
}
