/// Stripe idempotency keys: deterministic per (payment or refund, operation), so a retry after any crash
/// is the same request. Only a create carries an attempt number (a create that got a 500 replays it forever).
public enum StripeKeys {
    public static func create(_ base: String, attempt: Int) -> String { "\(base):create:\(attempt)" }
    public static func confirm(_ base: String) -> String { "\(base):confirm" }
    public static func capture(_ base: String) -> String { "\(base):capture" }
    public static func cancel(_ base: String) -> String { "\(base):cancel" }
    public static func refund(_ base: String) -> String { "\(base):refund" }
}
