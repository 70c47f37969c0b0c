/// The API's JSON of payments and refunds, written directly (keys sorted, every field present, `null`
/// when unset): the hot path answers thousands of these a second, and a generic encoder costs several
/// times more than the rest of the request.
extension Payment {
    public var json: String {
        var o = JSONObjectWriter()
        o.int("amount", amount)
        o.int("amountCaptured", amountCaptured)
        o.int("amountDisputed", amountDisputed)
        o.int("amountRefunded", amountRefunded)
        o.stringOrNull("authorizationExpiresAt", authorizationExpiresAt)
        o.string("capture", capture.rawValue)
        o.string("cartId", cartId)
        o.string("createdAt", createdAt)
        o.stringOrNull("createdBy", createdBy)
        o.string("currency", currency)
        o.stringOrNull("customerId", customerId)
        o.stringOrNull("declineCode", declineCode)
        o.stringOrNull("failureReason", failureReason?.rawValue)
        o.rawOrNull("lastError", lastError?.json)
        o.rawOrNull("nextAction", status == .requiresAction ? nextAction?.json : nil)
        o.string("orderId", orderId)
        o.string("paymentId", paymentId)
        o.stringOrNull("processorReference", processorReference)
        o.rawOrNull("review", review?.json)
        o.stringOrNull("riskOutcome", riskOutcome)
        o.string("status", status.rawValue)
        o.string("updatedAt", updatedAt)
        o.stringOrNull("voidReason", status == .voided ? voidReason?.rawValue : nil)
        return o.finish()
    }
}

extension Dispute {
    public var json: String {
        var o = JSONObjectWriter()
        o.int("amount", amount)
        o.stringOrNull("createdAt", createdAt)
        o.string("currency", currency)
        o.string("disputeId", disputeId)
        o.stringOrNull("evidenceDueBy", evidenceDueBy)
        o.bool("isChargeRefundable", isChargeRefundable)
        o.string("paymentId", paymentId)
        o.string("processorReference", processorReference)
        o.stringOrNull("reason", reason)
        o.string("status", status.rawValue)
        o.stringOrNull("updatedAt", updatedAt)
        return o.finish()
    }
}

extension NextAction {
    public var json: String {
        var o = JSONObjectWriter()
        o.string("clientSecret", clientSecret)
        o.string("type", type)
        return o.finish()
    }
}

extension PaymentReview {
    public var json: String {
        var o = JSONObjectWriter()
        o.stringOrNull("reason", reason)
        o.string("status", status.rawValue)
        return o.finish()
    }
}

extension PaymentError {
    public var json: String {
        var o = JSONObjectWriter()
        o.string("at", at)
        o.string("code", code)
        o.string("message", message)
        o.string("operation", operation)
        return o.finish()
    }
}

extension Refund {
    public var json: String {
        var o = JSONObjectWriter()
        o.int("amount", amount)
        o.string("createdAt", createdAt)
        o.stringOrNull("createdBy", createdBy)
        o.string("currency", currency)
        o.string("paymentId", paymentId)
        o.stringOrNull("processorReference", processorReference)
        o.stringOrNull("reason", reason?.rawValue)
        o.string("refundId", refundId)
        o.string("status", status.rawValue)
        o.string("updatedAt", updatedAt)
        return o.finish()
    }
}

extension AuditRecord {
    public var json: String {
        var o = JSONObjectWriter()
        o.string("action", entry.action.rawValue)
        o.string("actor", entry.attribution.actor)
        o.string("at", at)
        o.string("cursor", String(id))
        o.string("paymentId", entry.paymentId)
        o.stringOrNull("reason", entry.attribution.reason)
        o.stringOrNull("requestId", entry.attribution.requestId)
        o.stringOrNull("statusAfter", entry.statusAfter)
        o.stringOrNull("statusBefore", entry.statusBefore)
        o.string("subject", entry.subject)
        return o.finish()
    }
}

extension OperationRecord {
    public var json: String {
        var o = JSONObjectWriter()
        o.stringOrNull("actor", actor)
        o.rawOrNull("amount", amount.map(String.init))
        o.int("attempts", attempts)
        o.string("createdAt", createdAt)
        o.int("keyAttempt", keyAttempt)
        o.string("kind", kind)
        o.stringOrNull("lastError", lastError)
        o.stringOrNull("leaseOwner", leaseOwner)
        o.stringOrNull("leaseUntil", leaseUntil)
        o.string("nextAttemptAt", nextAttemptAt)
        o.int("operationId", id)
        o.string("paymentId", paymentId)
        o.stringOrNull("refundId", refundId)
        o.string("status", status)
        o.string("updatedAt", updatedAt)
        return o.finish()
    }
}
