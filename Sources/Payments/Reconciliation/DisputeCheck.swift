import StripeModels

/// What one processor dispute says against the record: each dispute of a payment's intent is recorded, in the
/// status the processor gives it. Both are healed by reading the dispute back (`dispute` operation).
public enum DisputeCheck {
    /// `context`: the payment whose intent is disputed; nil when no payment records it (not ours).
    public static func findings(_ dispute: StripeDispute, context: RecordedPayment?) -> [Finding] {
        guard let context else { return [] }
        let paymentId = context.payment.paymentId
        let heal = Heal.readDispute(paymentId: paymentId, disputeReference: dispute.id)
        let what = "dispute \(dispute.id) of \(dispute.amount) \(dispute.currency.uppercased()) (\(dispute.status), \(dispute.reason ?? "no reason"))"
        guard let recorded = context.disputes.first(where: { $0.processorReference == dispute.id }) else {
            return [Finding(.missingHere, paymentId: paymentId, subject: .dispute(dispute.id), detail: "\(what) is not recorded", heal: heal)]
        }
        var findings: [Finding] = []
        if recorded.status != dispute.status {
            findings.append(Finding(
                .statusMismatch, paymentId: paymentId, subject: .dispute(dispute.id),
                detail: "dispute \(dispute.id) is \(recorded.status) here, \(dispute.status) at the processor", heal: heal))
        }
        if recorded.amount != dispute.amount {
            findings.append(Finding(
                .amountMismatch, paymentId: paymentId, subject: .dispute(dispute.id),
                detail: "dispute \(dispute.id): \(dispute.amount) at the processor, \(recorded.amount) here"))
        }
        return findings
    }
}
