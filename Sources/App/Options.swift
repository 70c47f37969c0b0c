import ArgumentParser

/// Every setting, as a flag; each falls back to its environment variable, then to its default
/// (`contract.md`, "Configuration").
struct Options: ParsableArguments {
    @Option(help: "libpq connection URI (env DATABASE_URL; default postgresql://postgres@127.0.0.1:5432/payments)")
    var databaseUrl: String?

    @Option(help: "Address the API listens on (env HOST; default 127.0.0.1)")
    var host: String?

    @Option(help: "Port the API listens on (env PORT; default 8080)")
    var port: String?

    @Option(help: "all, api (intake only) or worker (worker only) (env ROLE; default all)")
    var role: String?

    @Option(help: "Stripe secret key: unset = sandbox mode, sk_test_… = test mode, sk_live_… needs ALLOW_LIVE_KEYS=1 (env STRIPE_SECRET_KEY; default unset)")
    var stripeSecretKey: String?

    @Option(help: "Processor base URL; set it to use a standalone stripe-sandbox (env STRIPE_API_BASE; default https://api.stripe.com, or the embedded emulator in sandbox mode)")
    var stripeApiBase: String?

    @Option(help: "Sandbox mode: the embedded emulator's loopback port (env SANDBOX_PORT; default 12112)")
    var sandboxPort: String?

    @Option(help: "Comma-separated whsec_… secrets accepted on /webhooks/stripe (env STRIPE_WEBHOOK_SECRET; default: generated in sandbox mode, required otherwise)")
    var stripeWebhookSecret: String?

    @Option(help: "Comma-separated bearer tokens for /payments*, /refunds*, /events* (env PAYMENT_API_TOKENS; required outside sandbox mode; default unset = auth off, sandbox mode only)")
    var paymentApiTokens: String?

    @Option(help: "PaymentMethod for commands without one (env DEFAULT_PAYMENT_METHOD; default pm_card_visa in sandbox and test mode, none in live mode)")
    var defaultPaymentMethod: String?

    @Option(help: "Processor operations in flight at once (env WORKER_CONCURRENCY; default 16)")
    var workerConcurrency: String?

    @Option(help: "Seconds the processor's search may lag behind a create (env STRIPE_SEARCH_LAG; default 60 for api.stripe.com, else 1)")
    var stripeSearchLag: String?

    @Option(help: "Seconds a worker's claim on an operation lasts without its heartbeat (env WORKER_LEASE; default 15)")
    var workerLease: String?

    @Option(help: "Client-side limit of processor requests per second (env STRIPE_MAX_RPS; default 25 for api.stripe.com, else unlimited)")
    var stripeMaxRps: String?

    @Option(help: "Database connections in the pool (env DB_POOL_SIZE; default 16)")
    var dbPoolSize: String?

    @Option(help: "Accept sk_live_ keys: 1 to allow (env ALLOW_LIVE_KEYS; default 0)")
    var allowLiveKeys: String?

    @Option(help: "trace, debug, info, notice, warning, error, critical (env LOG_LEVEL; default info)")
    var logLevel: String?

    @Option(help: "json or text (env LOG_FORMAT; default text on a terminal, else json)")
    var logFormat: String?
}
