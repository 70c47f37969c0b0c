/// One unfinished operation as `GET /operations` shows it.
public struct OperationRecord: Sendable, Equatable {
    public var id: Int
    public var kind: String
    public var status: String
    public var paymentId: String
    public var refundId: String?
    public var amount: Int?
    public var attempts: Int
    public var keyAttempt: Int
    public var nextAttemptAt: String
    public var leaseOwner: String?
    public var leaseUntil: String?
    public var lastError: String?
    public var actor: String?
    public var createdAt: String
    public var updatedAt: String

    public init(
        id: Int, kind: String, status: String, paymentId: String, refundId: String? = nil, amount: Int? = nil, attempts: Int,
        keyAttempt: Int, nextAttemptAt: String, leaseOwner: String? = nil, leaseUntil: String? = nil, lastError: String? = nil,
        actor: String? = nil, createdAt: String, updatedAt: String
    ) {
        self.id = id
        self.kind = kind
        self.status = status
        self.paymentId = paymentId
        self.refundId = refundId
        self.amount = amount
        self.attempts = attempts
        self.keyAttempt = keyAttempt
        self.nextAttemptAt = nextAttemptAt
        self.leaseOwner = leaseOwner
        self.leaseUntil = leaseUntil
        self.lastError = lastError
        self.actor = actor
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
