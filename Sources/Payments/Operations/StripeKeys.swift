/// Stripe idempotency keys: deterministic per (payment or refund, operation), so a retry after any crash
/// is the same request. A create carries its attempt number (a create that got a 500 replays it forever);
/// the other calls carry one from attempt 1 on: a new attempt after a refusal, or after a saved 500 that a
/// read-back proved harmless (`…:capture:capture:1`).
public enum StripeKeys {
    public static func create(_ base: String, attempt: Int) -> String { "\(base):create:\(attempt)" }
    public static func confirm(_ base: String, attempt: Int = 0) -> String { numbered("\(base):confirm", attempt) }
    public static func capture(_ base: String, attempt: Int = 0) -> String { numbered("\(base):capture", attempt) }
    public static func cancel(_ base: String, attempt: Int = 0) -> String { numbered("\(base):cancel", attempt) }
    public static func refund(_ base: String, attempt: Int = 0) -> String { numbered("\(base):refund", attempt) }
    /// Cancels an intent created under `createKey` that a payment can never use (another one is recorded).
    public static func cancelOrphan(_ createKey: String) -> String { "\(createKey):cancel" }

    /// Cancels the intent of a customer-present payment whose authentication failed or never came, or a stray
    /// hold. A cancel moves no money, so each claim sends it under its own key (`attempt`: the claim's number):
    /// a refusal or a 500 saved under one key can never hold the payment in REQUIRES_ACTION.
    public static func cancelAbandoned(_ base: String, attempt: Int = 0) -> String { numbered("\(base):cancel-abandoned", attempt) }

    private static func numbered(_ key: String, _ attempt: Int) -> String { attempt == 0 ? key : "\(key):\(attempt)" }
}
