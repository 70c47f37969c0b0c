import StripeModels

/// What one processor intent says against the record: a payment's own intent is compared status by status and
/// amount by amount; any other intent carrying the payment's id is a second intent, a problem only when it holds or
/// took money.
public enum IntentCheck {
    /// `context`: the payment the intent names (by `processor_reference`, else by `metadata.payment_id`); nil when
    /// there is none. An intent without our metadata and no payment recording it is not ours.
    public static func findings(_ intent: StripePaymentIntent, context: RecordedPayment?) -> [Finding] {
        guard let context else { return unknownPayment(intent) }
        guard context.payment.processorReference == intent.id else { return secondIntent(intent, context) }
        return status(intent, context.payment) + amounts(intent, context.payment)
    }

    private static func unknownPayment(_ intent: StripePaymentIntent) -> [Finding] {
        guard let paymentId = intent.metadata["payment_id"] else { return [] }
        let money = StatusAgreement.holdsOrTookMoney(intent) ? ", holding or holding taken \(describe(intent.amount, intent.currency))" : ""
        return [Finding(
            .missingHere, paymentId: UUIDText.valid(paymentId), subject: .intent(intent.id),
            detail: "intent \(intent.id) (\(intent.status.rawValue)\(money)) names payment \(paymentId.prefix(64)), which is not recorded")]
    }

    /// Holding money: cancelled, unless the authorization may still be at work on it (it may be the intent it is
    /// about to record). Money taken on a second intent is reported: giving it back is a refund, never a guess.
    private static func secondIntent(_ intent: StripePaymentIntent, _ context: RecordedPayment) -> [Finding] {
        let payment = context.payment
        let recorded = payment.processorReference.map { "records \($0)" } ?? "records no intent"
        switch intent.status {
        case .requiresCapture:
            return [Finding(
                .orphanHold, paymentId: payment.paymentId, subject: .intent(intent.id),
                detail: "second intent \(intent.id) holds \(describe(intent.amount, intent.currency)); the \(payment.status.rawValue) payment \(recorded)",
                heal: context.authorizationUnfinished ? .none : .cancel(intentId: intent.id))]
        case .succeeded:
            return [Finding(
                .orphanHold, paymentId: payment.paymentId, subject: .intent(intent.id),
                detail: "second intent \(intent.id) took \(describe(intent.amountReceived, intent.currency)); the payment \(recorded): refund it by hand")]
        default:
            return []
        }
    }

    private static func status(_ intent: StripePaymentIntent, _ payment: Payment) -> [Finding] {
        guard !StatusAgreement.agrees(payment.status, intent) else { return [] }
        let found = "payment is \(payment.status.rawValue), intent \(intent.id) is \(intent.status.rawValue)"
        if payment.status.isFinal, intent.status == .requiresCapture {
            return [Finding(
                .orphanHold, paymentId: payment.paymentId, subject: .intent(intent.id),
                detail: "\(found): it holds \(describe(intent.amount, intent.currency))", heal: .sync(paymentId: payment.paymentId))]
        }
        let forward = StatusAgreement.isForward(payment.status, intent)
        return [Finding(
            .statusMismatch, paymentId: payment.paymentId, subject: .intent(intent.id),
            detail: forward ? found : "\(found) (not a forward move: not healed)", heal: forward ? .sync(paymentId: payment.paymentId) : .none)]
    }

    /// The intent's `amount` against the payment's, its currency, and for a capture `amount_received` against the
    /// captured amount. Nothing reconciliation may do changes an amount: each is reported.
    private static func amounts(_ intent: StripePaymentIntent, _ payment: Payment) -> [Finding] {
        var found: [String] = []
        if let amount = intent.amount, amount != payment.amount { found.append("amount \(amount) at the processor, \(payment.amount) here") }
        if let currency = intent.currency, currency.uppercased() != payment.currency.uppercased() {
            found.append("currency \(currency) at the processor, \(payment.currency) here")
        }
        if payment.status == .captured, intent.status == .succeeded, let received = intent.amountReceived, received != payment.amountCaptured {
            found.append("captured \(received) at the processor, \(payment.amountCaptured) here")
        }
        guard !found.isEmpty else { return [] }
        return [Finding(
            .amountMismatch, paymentId: payment.paymentId, subject: .intent(intent.id), detail: "intent \(intent.id): " + found.joined(separator: "; "))]
    }

    /// A payment whose recorded intent the processor does not know (a retrieve by id answered 404).
    public static func missing(reference: String, payment: Payment) -> Finding {
        Finding(
            .missingAtProcessor, paymentId: payment.paymentId, subject: .intent(reference),
            detail: "the \(payment.status.rawValue) payment records intent \(reference), which the processor does not know (404)")
    }

    static func describe(_ amount: Int?, _ currency: String?) -> String {
        [amount.map(String.init) ?? "?", currency?.uppercased()].compactMap { $0 }.joined(separator: " ")
    }
}

enum UUIDText {
    /// The id when it is a UUID's text (lower-cased), else nil: metadata comes from outside.
    static func valid(_ text: String) -> String? {
        let hex = text.lowercased()
        let groups = hex.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
        // ASCII only: `Character.isHexDigit` also takes fullwidth digits, which no uuid column accepts.
        let ascii = hex.utf8.allSatisfy { $0 == UInt8(ascii: "-") || (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
        guard groups == [8, 4, 4, 4, 12], ascii else { return nil }
        return hex
    }
}
