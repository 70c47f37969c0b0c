/// The Payments domain events written to the outbox, their `data` exactly as in `schemas/`.
public enum DomainEvent: Sendable, Equatable {
    case paymentRequested(paymentId: String, orderId: String, customerId: String?, amount: Int, currency: String, requestedAt: String)
    case paymentSucceeded(paymentId: String, orderId: String, amount: Int, currency: String, processorReference: String?, succeededAt: String)
    case paymentFailed(paymentId: String, orderId: String, reason: FailureReason, failedAt: String)
    case paymentCaptured(paymentId: String, orderId: String, amount: Int, currency: String, processorReference: String?, capturedAt: String)
    case paymentVoided(paymentId: String, orderId: String, processorReference: String?, voidedAt: String)
    case refundRequested(refundId: String, paymentId: String, orderId: String?, amount: Int, currency: String, reason: String?, requestedAt: String)
    case refundProcessed(refundId: String, paymentId: String, amount: Int, currency: String, processedAt: String)
    case refundFailed(refundId: String, paymentId: String, amount: Int, currency: String, reason: String?, failedAt: String)
    /// Extensions of this service (their schemas are in `Tests/Fixtures/schemas`, beside the contract's):
    /// the customer must authenticate (never with the client secret), and Radar's reviews.
    case paymentActionRequired(paymentId: String, orderId: String, amount: Int, currency: String, actionType: String, requiredAt: String)
    case paymentReviewOpened(paymentId: String, orderId: String, reason: String?, openedAt: String)
    case paymentReviewClosed(paymentId: String, orderId: String, reason: String?, closedAt: String)
    /// The hold's deadline is within `EXPIRY_WARNING`.
    case paymentAuthorizationExpiring(paymentId: String, orderId: String, amount: Int, currency: String, expiresAt: String, warnedAt: String)
    /// The processor dropped the hold (not a void Ordering or the policy asked for).
    case paymentAuthorizationExpired(paymentId: String, orderId: String, processorReference: String?, expiredAt: String)
    // Each dispute event is about its dispute (`subjectId`): once per dispute and type.
    case paymentDisputed(Dispute, orderId: String, disputedAt: String)
    case disputeFundsWithdrawn(Dispute, withdrawnAt: String)
    case disputeFundsReinstated(Dispute, reinstatedAt: String)
    case disputeClosed(Dispute, closedAt: String)

    public var type: String {
        switch self {
        case .paymentRequested: "payment-requested"
        case .paymentSucceeded: "payment-succeeded"
        case .paymentFailed: "payment-failed"
        case .paymentCaptured: "payment-captured"
        case .paymentVoided: "payment-voided"
        case .refundRequested: "refund-requested"
        case .refundProcessed: "refund-processed"
        case .refundFailed: "refund-failed"
        case .paymentActionRequired: "payment-action-required"
        case .paymentReviewOpened: "payment-review-opened"
        case .paymentReviewClosed: "payment-review-closed"
        case .paymentAuthorizationExpiring: "payment-authorization-expiring"
        case .paymentAuthorizationExpired: "payment-authorization-expired"
        case .paymentDisputed: "payment-disputed"
        case .disputeFundsWithdrawn: "dispute-funds-withdrawn"
        case .disputeFundsReinstated: "dispute-funds-reinstated"
        case .disputeClosed: "dispute-closed"
        }
    }

    /// The payment the event is about: events are keyed by it in the outbox.
    public var paymentId: String {
        switch self {
        case .paymentRequested(let id, _, _, _, _, _), .paymentSucceeded(let id, _, _, _, _, _),
            .paymentFailed(let id, _, _, _), .paymentCaptured(let id, _, _, _, _, _), .paymentVoided(let id, _, _, _),
            .paymentActionRequired(let id, _, _, _, _, _), .paymentReviewOpened(let id, _, _, _), .paymentReviewClosed(let id, _, _, _),
            .paymentAuthorizationExpiring(let id, _, _, _, _, _), .paymentAuthorizationExpired(let id, _, _, _):
            id
        case .paymentDisputed(let dispute, _, _), .disputeFundsWithdrawn(let dispute, _), .disputeFundsReinstated(let dispute, _),
            .disputeClosed(let dispute, _):
            dispute.paymentId
        case .refundRequested(_, let id, _, _, _, _, _), .refundProcessed(_, let id, _, _, _),
            .refundFailed(_, let id, _, _, _, _):
            id
        }
    }

    /// What the event is about (the refund for refund events, else the payment): the outbox holds one
    /// event per subject and type.
    public var subjectId: String {
        switch self {
        case .refundRequested(let id, _, _, _, _, _, _), .refundProcessed(let id, _, _, _, _),
            .refundFailed(let id, _, _, _, _, _):
            id
        case .paymentDisputed(let dispute, _, _), .disputeFundsWithdrawn(let dispute, _), .disputeFundsReinstated(let dispute, _),
            .disputeClosed(let dispute, _):
            dispute.disputeId
        default:
            paymentId
        }
    }

    /// The `data` object as JSON text; optional fields are left out when absent, as the schemas allow.
    public var dataJSON: String {
        var o = JSONObjectWriter()
        switch self {
        case let .paymentRequested(paymentId, orderId, customerId, amount, currency, requestedAt):
            o.string("paymentId", paymentId); o.string("orderId", orderId); o.string("customerId", customerId)
            o.int("amount", amount); o.string("currency", currency); o.string("requestedAt", requestedAt)
        case let .paymentSucceeded(paymentId, orderId, amount, currency, processorReference, succeededAt):
            o.string("paymentId", paymentId); o.string("orderId", orderId); o.int("amount", amount)
            o.string("currency", currency); o.string("processorReference", processorReference)
            o.string("succeededAt", succeededAt)
        case let .paymentFailed(paymentId, orderId, reason, failedAt):
            o.string("paymentId", paymentId); o.string("orderId", orderId); o.string("reason", reason.rawValue)
            o.string("failedAt", failedAt)
        case let .paymentCaptured(paymentId, orderId, amount, currency, processorReference, capturedAt):
            o.string("paymentId", paymentId); o.string("orderId", orderId); o.int("amount", amount)
            o.string("currency", currency); o.string("processorReference", processorReference)
            o.string("capturedAt", capturedAt)
        case let .paymentVoided(paymentId, orderId, processorReference, voidedAt):
            o.string("paymentId", paymentId); o.string("orderId", orderId)
            o.string("processorReference", processorReference); o.string("voidedAt", voidedAt)
        case let .refundRequested(refundId, paymentId, orderId, amount, currency, reason, requestedAt):
            o.string("refundId", refundId); o.string("paymentId", paymentId); o.string("orderId", orderId)
            o.int("amount", amount); o.string("currency", currency); o.string("reason", reason)
            o.string("requestedAt", requestedAt)
        case let .refundProcessed(refundId, paymentId, amount, currency, processedAt):
            o.string("refundId", refundId); o.string("paymentId", paymentId); o.int("amount", amount)
            o.string("currency", currency); o.string("processedAt", processedAt)
        case let .refundFailed(refundId, paymentId, amount, currency, reason, failedAt):
            o.string("refundId", refundId); o.string("paymentId", paymentId); o.int("amount", amount)
            o.string("currency", currency); o.string("reason", reason); o.string("failedAt", failedAt)
        case let .paymentActionRequired(paymentId, orderId, amount, currency, actionType, requiredAt):
            o.string("paymentId", paymentId); o.string("orderId", orderId); o.int("amount", amount)
            o.string("currency", currency); o.string("actionType", actionType); o.string("requiredAt", requiredAt)
        case let .paymentReviewOpened(paymentId, orderId, reason, openedAt):
            o.string("paymentId", paymentId); o.string("orderId", orderId); o.string("reason", reason); o.string("openedAt", openedAt)
        case let .paymentReviewClosed(paymentId, orderId, reason, closedAt):
            o.string("paymentId", paymentId); o.string("orderId", orderId); o.string("reason", reason); o.string("closedAt", closedAt)
        case let .paymentAuthorizationExpiring(paymentId, orderId, amount, currency, expiresAt, warnedAt):
            o.string("paymentId", paymentId); o.string("orderId", orderId); o.int("amount", amount); o.string("currency", currency)
            o.string("expiresAt", expiresAt); o.string("warnedAt", warnedAt)
        case let .paymentAuthorizationExpired(paymentId, orderId, processorReference, expiredAt):
            o.string("paymentId", paymentId); o.string("orderId", orderId)
            o.string("processorReference", processorReference); o.string("expiredAt", expiredAt)
        default:
            disputeData(&o)
        }
        return o.finish()
    }

    private func disputeData(_ o: inout JSONObjectWriter) {
        let (dispute, timeKey, time): (Dispute, String, String)
        switch self {
        case let .paymentDisputed(d, orderId, at):
            o.string("orderId", orderId)
            (dispute, timeKey, time) = (d, "disputedAt", at)
        case let .disputeFundsWithdrawn(d, at): (dispute, timeKey, time) = (d, "withdrawnAt", at)
        case let .disputeFundsReinstated(d, at): (dispute, timeKey, time) = (d, "reinstatedAt", at)
        case let .disputeClosed(d, at):
            o.string("outcome", d.status.rawValue)
            (dispute, timeKey, time) = (d, "closedAt", at)
        default: return
        }
        o.string("disputeId", dispute.disputeId); o.string("paymentId", dispute.paymentId); o.int("amount", dispute.amount)
        o.string("currency", dispute.currency); o.string("processorReference", dispute.processorReference)
        if case .paymentDisputed = self {
            o.string("reason", dispute.reason); o.string("status", dispute.status.rawValue); o.string("evidenceDueBy", dispute.evidenceDueBy)
        }
        o.string(timeKey, time)
    }
}
