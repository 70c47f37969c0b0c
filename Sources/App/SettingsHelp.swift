/// The settings and their defaults for `payment-service --help` (the flags of `serve` and `migrate` say more).
enum SettingsHelp {
    static let rows: [(variable: String, flag: String, defaultValue: String)] = [
        ("DATABASE_URL", "--database-url", "postgresql://postgres@127.0.0.1:5432/payments"),
        ("HOST", "--host", "127.0.0.1"),
        ("PORT", "--port", "8080"),
        ("ROLE", "--role", "all; or api, worker"),
        ("STRIPE_SECRET_KEY", "--stripe-secret-key", "unset = sandbox mode"),
        ("STRIPE_API_BASE", "--stripe-api-base", "https://api.stripe.com; sandbox: the emulator"),
        ("SANDBOX_PORT", "--sandbox-port", "12112"),
        ("STRIPE_WEBHOOK_SECRET", "--stripe-webhook-secret", "sandbox: generated; else required"),
        ("PAYMENT_API_TOKENS", "--payment-api-tokens", "sandbox: unset, auth off; else required"),
        ("DEFAULT_PAYMENT_METHOD", "--default-payment-method", "pm_card_visa; none in live mode"),
        ("WORKER_CONCURRENCY", "--worker-concurrency", "16"),
        ("STRIPE_MAX_RPS", "--stripe-max-rps", "25 for api.stripe.com, else unlimited"),
        ("DB_POOL_SIZE", "--db-pool-size", "16"),
        ("ALLOW_LIVE_KEYS", "--allow-live-keys", "0"),
        ("LOG_LEVEL", "--log-level", "info"),
        ("LOG_FORMAT", "--log-format", "text on a terminal, else json"),
    ]

    static var discussion: String {
        let lines = rows.map { "  \($0.variable) (default: \($0.defaultValue))" }
        return (["Settings: environment variables, or the flags in `payment-service serve --help`."] + lines
            + ["An invalid setting stops the start with a message naming it and exit status 64."]).joined(separator: "\n")
    }
}
