import StripeModels

/// What one processor refund says against the record. A refund of ours carries `metadata.refund_id`; one without it
/// was made elsewhere (the dashboard), and is ours to record once the payment's sync reads it.
public enum RefundCheck {
    /// `context`: the payment whose intent the refund is of; nil when no payment records that intent (not ours).
    public static func findings(_ refund: StripeRefund, context: RecordedPayment?) -> [Finding] {
        guard let context else { return [] }
        let refundId = refund.metadata["refund_id"]
        guard let local = context.refund(matching: refund.id, refundId: refundId) else { return [missingHere(refund, context, refundId)] }
        return status(refund, local) + amount(refund, local)
    }

    private static func missingHere(_ refund: StripeRefund, _ context: RecordedPayment, _ refundId: String?) -> Finding {
        let paymentId = context.payment.paymentId
        let what = "refund \(refund.id) of \(refund.amount) \(refund.currency.uppercased()) (\(refund.status.rawValue))"
        guard let refundId else {
            return Finding(.missingHere, paymentId: paymentId, subject: .refund(refund.id), detail: "\(what) was made elsewhere and is not recorded",
                           heal: .sync(paymentId: paymentId))
        }
        return Finding(.missingHere, paymentId: paymentId, subject: .refund(refund.id), detail: "\(what) names refund \(refundId.prefix(64)), which is not recorded")
    }

    /// Where the processor's refund stands as the record would say it: a refund still `pending` is REQUESTED.
    public static func recordedStatus(of refund: StripeRefund) -> RefundStatus {
        if case .state(let status, _, _) = RefundDecision.state(of: refund) { return status }
        return .requested
    }

    private static func status(_ refund: StripeRefund, _ local: Refund) -> [Finding] {
        let expected = recordedStatus(of: refund)
        guard expected != local.status else { return [] }
        let forward = RefundTransition(from: local.status, to: expected, amount: local.amount).moves
        let found = "refund \(local.refundId) is \(local.status.rawValue), \(refund.id) is \(refund.status.rawValue) at the processor"
        return [Finding(
            .statusMismatch, paymentId: local.paymentId, subject: .refund(refund.id),
            detail: forward ? found : "\(found) (not a forward move: not healed)", heal: forward ? .sync(paymentId: local.paymentId) : .none)]
    }

    private static func amount(_ refund: StripeRefund, _ local: Refund) -> [Finding] {
        guard refund.amount != local.amount else { return [] }
        return [Finding(
            .amountMismatch, paymentId: local.paymentId, subject: .refund(refund.id),
            detail: "refund \(local.refundId): \(refund.amount) at the processor (\(refund.id)), \(local.amount) here")]
    }

    /// A refund whose recorded reference the processor does not know (a retrieve by id answered 404).
    public static func missing(_ local: Refund, reference: String) -> Finding {
        Finding(
            .missingAtProcessor, paymentId: local.paymentId, subject: .refund(reference),
            detail: "the \(local.status.rawValue) refund \(local.refundId) records \(reference), which the processor does not know (404)")
    }
}
