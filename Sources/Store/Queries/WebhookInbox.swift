import Foundation
import Payments

/// What a verified processor event says, reduced to what the store needs to decide whether to act.
public struct WebhookNotice: Sendable, Equatable {
    public var eventId: String
    public var type: String
    /// The intent the event is about (`pi_…`), for payment events and refunds alike.
    public var intentId: String?
    /// `metadata.payment_id` / `metadata.refund_id` as the service set them.
    public var paymentId: String?
    public var refundId: String?
    /// Where the event says the payment or refund now stands; nil when it does not say.
    public var paymentStatus: PaymentStatus?
    public var refundStatus: RefundStatus?
    /// Where a Radar review of the payment's charge stands (`review.opened`, `review.closed`).
    public var reviewStatus: PaymentReview.Status?
    /// The dispute (`dp_…`) a `charge.dispute.*` event is about: it is read back by id, whatever the event says.
    public var disputeReference: String?
    /// A charge's `amount_refunded` (`charge.refunded`): a refund made in the dashboard shows here first.
    public var amountRefunded: Int?

    public init(
        eventId: String, type: String, intentId: String?, paymentId: String?, refundId: String?,
        paymentStatus: PaymentStatus?, refundStatus: RefundStatus?, reviewStatus: PaymentReview.Status? = nil,
        disputeReference: String? = nil, amountRefunded: Int? = nil
    ) {
        self.disputeReference = disputeReference
        self.amountRefunded = amountRefunded
        self.eventId = eventId
        self.type = type
        self.intentId = intentId
        self.paymentId = paymentId
        self.refundId = refundId
        self.paymentStatus = paymentStatus
        self.refundStatus = refundStatus
        self.reviewStatus = reviewStatus
    }

    /// Whether the record is behind what this event says of `payment` (and of the refund, at `refundStatus`).
    /// A hold on a payment already VOIDED or FAILED (a customer's challenge completed after the cancel) counts:
    /// the read-back releases it.
    public func isAhead(of payment: Payment, refundStatus recorded: RefundStatus?) -> Bool {
        let paymentBehind = paymentStatus.map { $0 != payment.status && payment.status.canMove(to: $0) } ?? false
        let reviewBehind = reviewStatus.map { $0 != payment.review?.status } ?? false
        return paymentBehind || isStrayHold(on: payment) || reviewBehind || isRefundAhead(of: recorded) || isRefundedAhead(of: payment)
    }

    /// The charge shows refunds the record lacks (or no longer has): a sync lists them all.
    public func isRefundedAhead(of payment: Payment) -> Bool { amountRefunded.map { $0 != payment.amountRefunded } ?? false }

    /// A stray hold is released by a sync only (the payment's own operations end on its final status), and refunds
    /// are read back by a sync only (a queued refund operation reads back its own alone).
    public func needsSync(of payment: Payment, refundStatus recorded: RefundStatus?) -> Bool {
        isRefundAhead(of: recorded) || isStrayHold(on: payment) || isRefundedAhead(of: payment)
    }

    public func isStrayHold(on payment: Payment) -> Bool { payment.status.isFinal && paymentStatus == .authorized }

    public func isRefundAhead(of recorded: RefundStatus?) -> Bool { refundStatus.map { $0 != recorded } ?? false }
}

public enum WebhookReceipt: Sendable, Equatable {
    /// Seen before (at-least-once delivery): nothing to do.
    case duplicate
    /// Not about a payment of ours (or about an intent we never confirmed).
    case unrelated
    /// Our record already says so.
    case upToDate
    /// The record is behind: the payment's operations were brought forward, or a `sync` queued; `operations`
    /// are those now due and free (the worker in this process may claim them at once).
    case syncQueued(paymentId: String, operations: [Int])
}

extension Database {
    /// Records a verified event once (deduplicated by its id) and, when the record is behind what it says,
    /// asks the worker to read the processor back. Events never set a status themselves: the processor's
    /// current state, read by id, decides, so stale or reordered deliveries cannot mislead.
    public func receiveWebhook(_ notice: WebhookNotice) async throws(StoreError) -> WebhookReceipt {
        try await transaction(rerun: .asIs) { tx throws(StoreError) in
            let fresh = try tx.execute(
                "INSERT INTO webhook_events (id, type) VALUES (\(notice.eventId), \(notice.type)) ON CONFLICT DO NOTHING RETURNING id")
            guard !fresh.isEmpty else { return .duplicate }
            guard let (payment, refundStatus) = try tx.subject(of: notice) else { return .unrelated }
            if let read = try tx.disputeRead(for: notice, of: payment) { return read }
            guard notice.isAhead(of: payment, refundStatus: refundStatus) else { return .upToDate }
            let syncAlways = notice.needsSync(of: payment, refundStatus: refundStatus)
            // Operations parked on unreadable answers are released: this read-back may read them.
            try tx.execute(
                """
                UPDATE operations SET status = 'queued', next_attempt_at = clock_timestamp(), protocol_faults = 0,
                    updated_at = clock_timestamp()
                WHERE payment_id = \(payment.paymentId) AND status = 'parked'
                """)
            let expedited = try tx.execute(
                """
                UPDATE operations SET next_attempt_at = clock_timestamp()
                WHERE payment_id = \(payment.paymentId) AND status = 'queued' AND next_attempt_at > clock_timestamp()
                """)
            // Waiting means not running yet: a runner holding its lease may have read the processor already.
            let waiting = try tx.execute(
                """
                SELECT id FROM operations WHERE payment_id = \(payment.paymentId) AND status = 'queued'
                  AND (lease_until IS NULL OR lease_until < clock_timestamp())
                """)
            var due = try waiting.rows.map { row throws(StoreError) in try row.requiredInt("id") }
            // An event about a refund always gets a sync, which reads back every refund of the payment: the
            // queued operation of another refund reads back only its own, and would absorb this event.
            if syncAlways || (expedited.affectedRows == 0 && waiting.isEmpty) {
                if let queued = try tx.queueSync(paymentId: payment.paymentId, key: "\(payment.paymentId):sync:\(notice.eventId)") {
                    due.append(queued)
                }
                // No conflict target: a sync already queued for the payment, or (an event redelivered after its id
                // was purged, past 30 days) the sync this very event queued long ago, both mean nothing to add.
            }
            return .syncQueued(paymentId: payment.paymentId, operations: due)
        }
    }
}

extension Transaction {
    /// The payment (and refund status) an event concerns. Payment events count only for the intent the
    /// payment records: an orphan intent left by a create whose answer was lost was never confirmed.
    fileprivate func subject(of notice: WebhookNotice) throws(StoreError) -> (Payment, RefundStatus?)? {
        if let refundId = notice.refundId, UUIDText.isValid(refundId) {
            let result = try execute("SELECT payment_id, status FROM refunds WHERE id = \(refundId.lowercased())")
            guard let row = result.rows.first, let paymentId = try row.string("payment_id"), let payment = try payment(id: paymentId) else { return nil }
            return (payment, try row.string("status").flatMap(RefundStatus.init(rawValue:)))
        }
        guard let paymentId = try paymentId(of: notice), let payment = try payment(id: paymentId),
            payment.processorReference != nil, payment.processorReference == notice.intentId
        else { return nil }
        return (payment, nil)
    }
}

extension Transaction {
    /// A dispute's event queues a read of that dispute (nil: the event is about no dispute).
    fileprivate func disputeRead(for notice: WebhookNotice, of payment: Payment) throws(StoreError) -> WebhookReceipt? {
        guard let dispute = notice.disputeReference else { return nil }
        let read = try queueDisputeRead(paymentId: payment.paymentId, disputeReference: dispute, key: "\(dispute):\(notice.eventId)")
        return .syncQueued(paymentId: payment.paymentId, operations: read.map { [$0] } ?? [])
    }

    /// From the intent's `metadata.payment_id`; a review carries only the intent's id, found as the reference.
    fileprivate func paymentId(of notice: WebhookNotice) throws(StoreError) -> String? {
        if let paymentId = notice.paymentId { return UUIDText.isValid(paymentId) ? paymentId.lowercased() : nil }
        guard let intentId = notice.intentId else { return nil }
        return try execute("SELECT id FROM payments WHERE processor_reference = \(intentId)").rows.first?.string("id")
    }
}

enum UUIDText {
    static func isValid(_ text: String) -> Bool { UUID(uuidString: text) != nil }
}
