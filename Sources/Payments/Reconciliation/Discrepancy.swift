/// What kind of disagreement between the record and the processor an item reports.
public enum DiscrepancyKind: String, Sendable, CaseIterable, Codable {
    /// The processor has it and the record does not: an intent with our `metadata.payment_id` and no payment, a
    /// refund made elsewhere (the dashboard), a dispute not recorded.
    case missingHere = "missing_here"
    /// A recorded processor reference the processor does not know (a retrieve by id answered 404).
    case missingAtProcessor = "missing_at_processor"
    case amountMismatch = "amount_mismatch"
    case statusMismatch = "status_mismatch"
    /// An intent holding money (`requires_capture`) for a payment that is FAILED or VOIDED, or a second intent of
    /// one payment that holds or took money.
    case orphanHold = "orphan_hold"
}

/// What reconciliation may do about a finding. A heal never writes a status itself: it queues the read-back that
/// records what the processor proves (forward only), or cancels a hold no payment records.
public enum Heal: Sendable, Equatable, Hashable {
    /// Nothing is safe: report it.
    case none
    /// The payment's `sync` reads the intent and its refunds back and records them (a stray hold is released).
    case sync(paymentId: String)
    /// The `dispute` operation reads the dispute back and records it.
    case readDispute(paymentId: String, disputeReference: String)
    /// A second intent of a payment holds money the record knows nothing of: cancel it, under a key of its own so
    /// that every run sends the same request.
    case cancelIntent(id: String, idempotencyKey: String)

    public static func cancel(intentId: String) -> Heal {
        .cancelIntent(id: intentId, idempotencyKey: "reconcile:cancel:\(intentId)")
    }
}

/// The processor object a finding is about, to be read again by id once live work has ended or a heal has run.
public enum FindingSubject: Sendable, Equatable, Hashable {
    case intent(String)
    case refund(String)
    case dispute(String)

    public var reference: String {
        switch self {
        case .intent(let id), .refund(let id), .dispute(let id): id
        }
    }
}

/// One disagreement found, before anything was done about it.
public struct Finding: Sendable, Equatable {
    public var kind: DiscrepancyKind
    public var paymentId: String?
    public var subject: FindingSubject
    public var detail: String
    public var heal: Heal

    public init(_ kind: DiscrepancyKind, paymentId: String?, subject: FindingSubject, detail: String, heal: Heal = .none) {
        self.kind = kind
        self.paymentId = paymentId
        self.subject = subject
        self.detail = detail
        self.heal = heal
    }

    public var processorReference: String { subject.reference }
}

/// One line of a run's report, as recorded and served: `healed` says the record agrees with the processor now.
public struct ReconciliationItem: Sendable, Equatable {
    public var kind: DiscrepancyKind
    public var paymentId: String?
    public var processorReference: String
    public var detail: String
    public var healed: Bool

    public init(kind: DiscrepancyKind, paymentId: String?, processorReference: String, detail: String, healed: Bool) {
        self.kind = kind
        self.paymentId = paymentId
        self.processorReference = processorReference
        self.detail = detail
        self.healed = healed
    }

    public init(_ finding: Finding, healed: Bool) {
        self.init(
            kind: finding.kind, paymentId: finding.paymentId, processorReference: finding.processorReference, detail: finding.detail,
            healed: healed)
    }
}
