import Foundation
import Testing
@testable import APIActor

/// What a verified event says to the inbox, for the kinds issue 16 added: disputes, expired and refunded charges.
@Suite struct StripeEventTests {
    static func event(_ type: String, _ object: String) throws -> StripeEvent {
        try StripeEvent(Array(#"{"id":"evt_1","type":"\#(type)","data":{"object":\#(object)}}"#.utf8))
    }

    @Test("a dispute event names its dispute and intent, never a status")
    func dispute() throws {
        let notice = try Self.event("charge.dispute.closed", #"{"object":"dispute","id":"dp_1Ab","payment_intent":"pi_1","status":"won"}"#).notice
        #expect(notice.disputeReference == "dp_1Ab" && notice.intentId == "pi_1" && notice.paymentStatus == nil)
    }

    @Test("a dispute id not of Stripe's shape names no dispute", arguments: [
        #""dp_""#, #""dp_a-b""#, #""du_1""#, "12", #""dp_\#(String(repeating: "x", count: 300))""#, #""dp_é""#,
    ])
    func hostileDisputeIds(id: String) throws {
        let notice = try Self.event("charge.dispute.created", #"{"object":"dispute","id":\#(id),"payment_intent":"pi_1"}"#).notice
        #expect(notice.disputeReference == nil)
    }

    @Test("charge.expired says the hold is gone; charge.refunded carries the refunded total")
    func charges() throws {
        #expect(try Self.event("charge.expired", #"{"object":"charge","id":"ch_1","payment_intent":"pi_1"}"#).notice.paymentStatus == .voided)
        let refunded = try Self.event("charge.refunded", #"{"object":"charge","id":"ch_1","payment_intent":"pi_1","amount_refunded":1200}"#).notice
        #expect(refunded.amountRefunded == 1200 && refunded.paymentStatus == nil)
        #expect(try Self.event("charge.succeeded", #"{"object":"charge","id":"ch_1","amount_refunded":5}"#).notice.amountRefunded == nil)
    }

    @Test("a refund event without our refund_id always needs a sync (a dashboard refund, pending or not)")
    func foreignRefund() throws {
        let notice = try Self.event("refund.created", #"{"object":"refund","id":"re_1","payment_intent":"pi_1","status":"pending","metadata":{}}"#).notice
        #expect(notice.isForeignRefund)
        let ours = try Self.event("refund.updated", #"{"object":"refund","id":"re_1","status":"pending","metadata":{"refund_id":"x"}}"#).notice
        #expect(!ours.isForeignRefund)
    }
}
