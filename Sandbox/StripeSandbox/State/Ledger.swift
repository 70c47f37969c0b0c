/// `GET /_sandbox/ledger`: the money truth tests hold the service against (contract.md).
extension SandboxState {
    func ledger() -> JSONValue {
        let intentRows: [JSONValue] = intentOrder.compactMap { intents[$0] }.map { intent in
            let refunded = refundOrder.compactMap { refunds[$0] }
                .filter { $0.paymentIntent == intent.id && $0.status == .succeeded }
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
            ]
        }
        let refundRows: [JSONValue] = refundOrder.compactMap { refunds[$0] }.map { refund in
            [
                "id": .string(refund.id),
                "payment_intent": .string(refund.paymentIntent),
                "amount": .int(refund.amount),
                "status": .string(refund.status.rawValue),
            ]
        }
        return ["payment_intents": .array(intentRows), "refunds": .array(refundRows)]
    }
}
