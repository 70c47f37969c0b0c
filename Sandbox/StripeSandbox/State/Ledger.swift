/// `GET /_sandbox/ledger`: the money truth tests hold the service against (contract.md), with the
/// sandbox clock, each charge and each dispute beside it.
extension SandboxState {
    func ledger() -> JSONValue {
        [
            "now": .int(now),
            "offset": .int(clockOffset),
            "payment_intents": .array(intentOrder.compactMap { intents[$0] }.map(ledgerRow)),
            "refunds": .array(refundOrder.compactMap { refunds[$0] }.map(ledgerRow)),
            "charges": .array(chargeOrder.compactMap { charges[$0] }.map(ledgerRow)),
            "disputes": .array(disputeOrder.compactMap { disputes[$0] }.map(ledgerRow)),
        ]
    }

    private func ledgerRow(_ intent: PaymentIntent) -> JSONValue {
        let refunded = (refundsByIntent[intent.id] ?? []).compactMap { refunds[$0] }
            .filter { $0.status == .succeeded }
            .reduce(0) { $0 + $1.amount }
        return [
            "id": .string(intent.id),
            "amount": .int(intent.amount),
            "amount_capturable": .int(intent.amountCapturable),
            "amount_received": .int(intent.amountReceived),
            "amount_refunded": .int(refunded),
            "currency": .string(intent.currency),
            "status": .string(intent.status.rawValue),
            "capture_method": .string(intent.captureMethod),
            "metadata": .strings(intent.metadata),
            "confirmations": .int(intent.confirmations),
            "cancellation_reason": .optional(intent.cancellationReason),
        ]
    }

    private func ledgerRow(_ refund: Refund) -> JSONValue {
        [
            "id": .string(refund.id),
            "payment_intent": .string(refund.paymentIntent),
            "amount": .int(refund.amount),
            "status": .string(refund.status.rawValue),
        ]
    }

    private func ledgerRow(_ charge: Charge) -> JSONValue {
        guard case .object(let fields) = charge.json else { return charge.json }
        let kept: Set<String> = ["id", "payment_intent", "amount", "amount_captured", "amount_refunded", "captured", "refunded", "disputed", "status"]
        return .object(fields.filter { kept.contains($0.key) } + [("capture_before", .optional(charge.captureBefore))])
    }

    private func ledgerRow(_ dispute: Dispute) -> JSONValue {
        [
            "id": .string(dispute.id),
            "payment_intent": .string(dispute.paymentIntent),
            "charge": .string(dispute.charge),
            "amount": .int(dispute.amount),
            "status": .string(dispute.status.rawValue),
            "is_charge_refundable": .bool(dispute.isChargeRefundable),
            "funds_withdrawn": .int(dispute.fundsWithdrawn),
            "funds_reinstated": .int(dispute.fundsReinstated),
        ]
    }
}
