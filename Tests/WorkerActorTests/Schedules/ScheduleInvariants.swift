import Payments

/// The money-safety rules a schedule must keep (`architecture.md`, `contract.md`), checked on what the model
/// store recorded against what the model processor holds.
struct ScheduleInvariants {
    let payments: [Payment]
    let refunds: [ModelStore.RefundRow]
    let operations: [ModelStore.OperationRow]
    let events: [DomainEvent]
    let transitions: [ModelStore.Transition]
    let intents: [ModelProcessor.Intent]
    let processorRefunds: [ModelProcessor.ModelRefund]
    let confirmations: [String: Int]

    static func check(store: ModelStore, processor: ModelProcessor, drained: Bool) async -> [String] {
        let invariants = ScheduleInvariants(
            payments: await store.payments.map(\.payment), refunds: await store.refunds, operations: await store.operations,
            events: await store.events, transitions: await store.transitions, intents: await processor.intents,
            processorRefunds: await processor.refunds, confirmations: await processor.confirmations)
        return invariants.violations(drained: drained)
    }

    func violations(drained: Bool) -> [String] {
        var found = transitions.filter { !$0.from.canMove(to: $0.to) }.map { "\($0.paymentId) moved \($0.from.rawValue) -> \($0.to.rawValue), a move the lifecycle forbids" }
        for payment in payments {
            found += safety(payment)
            found += conflictingEvents(payment)
            if drained, !operations.contains(where: { $0.paymentId == payment.paymentId && $0.status == .parked }) {
                found += agreement(payment)
            }
        }
        return found
    }

    /// At most one confirmation that moved money, and no hold or charge left under a FAILED or VOIDED payment.
    private func safety(_ payment: Payment) -> [String] {
        var found: [String] = []
        let confirmed = confirmations[payment.paymentId] ?? 0
        if confirmed > 1 { found.append("\(payment.paymentId) confirmed \(confirmed) times at the processor") }
        let holding = intents(of: payment).filter { $0.status == .requiresCapture || $0.status == .succeeded }
        if payment.status.isFinal, let intent = holding.first {
            found.append("\(payment.paymentId) is \(payment.status.rawValue) but \(intent.id) is \(intent.status.rawValue) at the processor")
        }
        return found
    }

    /// Facts that exclude each other: a failed payment never succeeded, a captured one was never voided.
    private func conflictingEvents(_ payment: Payment) -> [String] {
        let types = Set(events(of: payment.paymentId))
        var found: [String] = []
        if types.contains("payment-failed"), !types.isDisjoint(with: ["payment-succeeded", "payment-captured", "payment-voided"]) {
            found.append("\(payment.paymentId) has payment-failed beside \(types.sorted())")
        }
        if types.contains("payment-captured"), types.contains("payment-voided") {
            found.append("\(payment.paymentId) has both payment-captured and payment-voided")
        }
        return found
    }

    /// Once drained, the record says what the processor holds: amounts, the status of the recorded intent,
    /// the refunds, and the events of where the payment ended.
    private func agreement(_ payment: Payment) -> [String] {
        let mine = intents(of: payment)
        let captured = mine.map(\.received).reduce(0, +)
        let refunded = processorRefunds.filter { refund in refund.status == .succeeded && mine.contains { $0.id == refund.intentId } }
            .map(\.amount).reduce(0, +)
        var found: [String] = []
        if payment.amountCaptured != captured {
            found.append("\(payment.paymentId) records amountCaptured \(payment.amountCaptured), the processor captured \(captured)")
        }
        if payment.amountRefunded != refunded {
            found.append("\(payment.paymentId) records amountRefunded \(payment.amountRefunded), the processor refunded \(refunded)")
        }
        if let expected = expectedStatus(payment), expected != payment.status {
            found.append("\(payment.paymentId) is \(payment.status.rawValue), its intent says \(expected.rawValue)")
        }
        return found + refundAgreement(payment) + eventAgreement(payment)
    }

    /// What the recorded intent's state means for the payment (nil: not decided by it).
    private func expectedStatus(_ payment: Payment) -> PaymentStatus? {
        guard let intent = intents.first(where: { $0.id == payment.processorReference }) else { return nil }
        switch intent.status {
        case .requiresCapture: return .authorized
        case .succeeded: return .captured
        case .canceled: return .voided
        case .requiresPaymentMethod where intent.lastPaymentError != nil: return .failed
        default: return nil
        }
    }

    private func refundAgreement(_ payment: Payment) -> [String] {
        refunds.filter { $0.refund.paymentId == payment.paymentId }.compactMap { row in
            let refund = row.refund
            let atProcessor = processorRefunds.first { $0.metadata["refund_id"] == refund.refundId }
            let expected: RefundStatus = switch atProcessor?.status {
            case .some(.succeeded): .processed
            case nil, .some(.failed), .some(.canceled): .failed
            case .some(.pending), .some(.requiresAction): .requested
            }
            return expected == refund.status ? nil
                : "\(refund.refundId) is \(refund.status.rawValue), the processor has it \(atProcessor?.status.rawValue ?? "not at all")"
        }
    }

    private func eventAgreement(_ payment: Payment) -> [String] {
        let types = Set(events(of: payment.paymentId))
        let wanted: [PaymentStatus: [String]] = [
            .authorized: ["payment-succeeded"], .captured: ["payment-succeeded", "payment-captured"],
            .voided: ["payment-voided"], .failed: ["payment-failed"],
        ]
        var found = (wanted[payment.status] ?? []).filter { !types.contains($0) }.map { "\(payment.paymentId) is \(payment.status.rawValue) without \($0)" }
        for row in refunds where row.refund.paymentId == payment.paymentId && row.refund.status != .requested {
            let type = row.refund.status == .processed ? "refund-processed" : "refund-failed"
            if !events.contains(where: { $0.subjectId == row.refund.refundId && $0.type == type }) {
                found.append("\(row.refund.refundId) is \(row.refund.status.rawValue) without \(type)")
            }
        }
        return found
    }

    private func intents(of payment: Payment) -> [ModelProcessor.Intent] { intents.filter { $0.paymentId == payment.paymentId } }

    private func events(of paymentId: String) -> [String] { events.filter { $0.subjectId == paymentId }.map(\.type) }
}
