/// What the audit log records of one write, in the same transaction as the write.
public struct AuditEntry: Sendable, Equatable {
    public var attribution: Attribution
    public var action: AuditAction
    /// The payment, refund or webhook endpoint the write was about.
    public var subject: String
    /// The payment it concerns (the subject itself for a payment): `GET /audit?subject=<paymentId>` finds its
    /// refunds' rows too.
    public var paymentId: String
    public var statusBefore: String?
    public var statusAfter: String?

    public init(
        _ attribution: Attribution, _ action: AuditAction, subject: String, paymentId: String? = nil, statusBefore: String?,
        statusAfter: String?
    ) {
        self.attribution = attribution
        self.action = action
        self.subject = subject
        self.paymentId = paymentId ?? subject
        self.statusBefore = statusBefore
        self.statusAfter = statusAfter
    }
}

/// The writes the audit log knows; the raw value is what `GET /audit` shows.
public enum AuditAction: String, Sendable, CaseIterable {
    case authorize
    case capture
    case void
    case refund
    /// An operator's read-back of a payment from the processor (`POST /payments/{id}/sync`).
    case sync
    /// An operator's new attempt at a parked or refused operation (`POST /operations/{id}/retry`).
    case retry
    /// A reconciliation heal: a read-back or cancel queued because the processor disagreed with the record.
    case reconcile
    /// Pushed webhooks (`/webhook-endpoints`): an endpoint created, changed, deleted or its secret rotated, its
    /// cursor moved back, one event sent again, or the endpoint disabled when its retry window ran out.
    case subscribe
    case updateEndpoint = "update-endpoint"
    case unsubscribe
    case rotateSecret = "rotate-secret"
    case replay
    case redeliver
    case disableEndpoint = "disable-endpoint"
}

/// One row of the audit log as read back.
public struct AuditRecord: Sendable, Equatable {
    /// Its position in the log: the cursor of `GET /audit`.
    public var id: Int
    public var at: String
    public var entry: AuditEntry

    public init(id: Int, at: String, entry: AuditEntry) {
        self.id = id
        self.at = at
        self.entry = entry
    }
}
