import Support

extension WebhookEndpoint {
    /// The endpoint as the API shows it; `secret` only where it is handed out (creation and rotation).
    public func json(secret: String? = nil) -> String {
        var o = JSONObjectWriter()
        o.string("createdAt", createdAt)
        o.string("cursor", cursor)
        o.stringOrNull("description", description)
        o.stringOrNull("disabledReason", disabledReason)
        o.bool("enabled", enabled)
        o.rawOrNull("events", "[" + events.names.map(JSONString.quoted).joined(separator: ",") + "]")
        o.int("failures", failures)
        o.string("id", id)
        o.stringOrNull("nextAttemptAt", nextAttemptAt)
        o.string("secret", secret)
        o.string("updatedAt", updatedAt)
        o.string("url", url)
        return o.finish()
    }
}

extension WebhookDelivery {
    public var json: String {
        var o = JSONObjectWriter()
        o.int("attempts", attempts)
        o.string("createdAt", createdAt)
        o.string("endpointId", endpointId)
        o.string("eventId", eventId)
        o.string("eventType", eventType)
        o.int("id", id)
        o.stringOrNull("lastAttemptAt", lastAttemptAt)
        o.stringOrNull("lastError", lastError)
        o.rawOrNull("lastStatus", lastStatus.map(String.init))
        o.bool("redelivery", redelivery)
        o.string("status", status.rawValue)
        return o.finish()
    }
}
