import StripeModels

/// What the processor's lists showed for the window.
public struct ProcessorSnapshot: Sendable, Equatable {
    public var intents: [StripePaymentIntent]
    public var refunds: [StripeRefund]
    public var disputes: [StripeDispute]

    public init(intents: [StripePaymentIntent] = [], refunds: [StripeRefund] = [], disputes: [StripeDispute] = []) {
        self.intents = intents
        self.refunds = refunds
        self.disputes = disputes
    }
}

/// What the record holds that the snapshot concerns: every payment the processor's objects name (by
/// `metadata.payment_id` or by reference), and every payment and refund recorded in the window.
public struct ReconciliationRecord: Sendable, Equatable {
    public private(set) var contexts: [RecordedPayment]
    /// Processor references (intents and refunds) recorded within the window: each one the lists did not show is
    /// confirmed by a retrieve by id.
    public var recordedInWindow: Set<String>
    private var byId: [String: Int] = [:]
    private var byReference: [String: Int] = [:]

    public init(contexts: [RecordedPayment], recordedInWindow: Set<String> = []) {
        self.contexts = contexts
        self.recordedInWindow = recordedInWindow
        for (index, context) in contexts.enumerated() {
            byId[context.payment.paymentId] = index
            if let reference = context.payment.processorReference { byReference[reference] = index }
        }
    }

    /// The payment recording the intent, else the one its `metadata.payment_id` names.
    public func context(forIntent intent: StripePaymentIntent) -> RecordedPayment? {
        if let recording = context(recording: intent.id) { return recording }
        return intent.metadata["payment_id"].flatMap(UUIDText.valid).flatMap { byId[$0] }.map { contexts[$0] }
    }

    public func context(paymentId: String) -> RecordedPayment? {
        byId[paymentId].map { contexts[$0] }
    }

    public func context(recording intentId: String?) -> RecordedPayment? {
        intentId.flatMap { byReference[$0] }.map { contexts[$0] }
    }

    /// The refund (with its payment) that records `reference`.
    public func refund(recording reference: String) -> (Refund, RecordedPayment)? {
        for context in contexts {
            if let refund = context.refunds.first(where: { $0.processorReference == reference }) { return (refund, context) }
        }
        return nil
    }
}

/// Matches the processor's objects to the record and classifies each disagreement (no I/O: the run lists, loads and
/// heals; this says what disagrees and what is safe to do about it).
public enum ReconciliationMatcher {
    public static func findings(_ snapshot: ProcessorSnapshot, _ record: ReconciliationRecord) -> [Finding] {
        snapshot.intents.flatMap { IntentCheck.findings($0, context: record.context(forIntent: $0)) }
            + snapshot.refunds.flatMap { RefundCheck.findings($0, context: record.context(recording: $0.paymentIntent)) }
            + snapshot.disputes.flatMap { DisputeCheck.findings($0, context: record.context(recording: $0.paymentIntent)) }
    }

    /// References recorded in the window that the lists did not show: intents first, then refunds, each to be
    /// retrieved by id (a 404 is `missing_at_processor`; an answer joins the snapshot).
    public static func unlisted(_ snapshot: ProcessorSnapshot, _ record: ReconciliationRecord) -> [FindingSubject] {
        let listed = Set(snapshot.intents.map(\.id) + snapshot.refunds.map(\.id))
        let intents = record.contexts.compactMap(\.payment.processorReference)
            .filter { record.recordedInWindow.contains($0) && !listed.contains($0) }.map(FindingSubject.intent)
        let refunds = record.contexts.flatMap(\.refunds).compactMap(\.processorReference)
            .filter { record.recordedInWindow.contains($0) && !listed.contains($0) }.map(FindingSubject.refund)
        return intents + refunds
    }

    /// The findings of one subject, looked at again: what the processor says of it now against the record now
    /// (`object` nil: the processor does not know it).
    public static func findings(of subject: FindingSubject, object: ProcessorObject?, _ record: ReconciliationRecord) -> [Finding] {
        switch (subject, object) {
        case (_, .intent(let intent)): IntentCheck.findings(intent, context: record.context(forIntent: intent))
        case (_, .refund(let refund)): RefundCheck.findings(refund, context: record.context(recording: refund.paymentIntent))
        case (_, .dispute(let dispute)): DisputeCheck.findings(dispute, context: record.context(recording: dispute.paymentIntent))
        case (.intent(let id), nil): record.context(recording: id).map { [IntentCheck.missing(reference: id, payment: $0.payment)] } ?? []
        case (.refund(let id), nil): record.refund(recording: id).map { [RefundCheck.missing($0.0, reference: id)] } ?? []
        case (.dispute, nil): []
        }
    }
}

/// One object as the processor returned it.
public enum ProcessorObject: Sendable, Equatable {
    case intent(StripePaymentIntent)
    case refund(StripeRefund)
    case dispute(StripeDispute)
}
