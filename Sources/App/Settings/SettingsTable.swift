import Foundation
import Logging
import Payments
import Store
import Telemetry

/// Every setting (`contract.md`, "Configuration"), in the order `--help` and the README list them.
extension SettingDescriptor {
    static let all: [SettingDescriptor] = [
        databaseURL, host, port, role, stripeSecretKey, stripeAPIBase, sandboxPort, stripeWebhookSecret, paymentAPITokens,
        defaultPaymentMethod, workerConcurrency, stripeSearchLag, workerLease, authenticationTimeout, expiryWarning, expiredHoldPolicy,
        stripeMaxRPS, reconciliationInterval, dbPoolSize, webhookConcurrency, webhookAllowPrivate,
        allowLiveKeys,
        logLevel, logFormat, otlpEndpoint, otlpHeaders,
    ]

    static let databaseURL = SettingDescriptor(
        variable: "DATABASE_URL", option: \.databaseUrl,
        meaning: "libpq connection URI",
        defaultValue: .fixed("postgresql://postgres@127.0.0.1:5432/payments"),
        // The URL is never quoted back: it may hold the database password.
        rule: .valid(complaint: "must be a valid postgresql:// URI (postgresql://user:password@host:port/database)") { url in
            (url.hasPrefix("postgresql://") || url.hasPrefix("postgres://")) && URLComponents(string: url) != nil
                && ConnectionURL.isValid(url)
        })

    static let host = SettingDescriptor(
        variable: "HOST", option: \.host,
        meaning: "address the API listens on",
        defaultValue: .fixed("127.0.0.1"))

    static let port = SettingDescriptor(
        variable: "PORT", option: \.port,
        meaning: "port the API listens on",
        defaultValue: .fixed("8080"), rule: .number(0...65535))

    static let role = SettingDescriptor(
        variable: "ROLE", option: \.role,
        meaning: "`all`, `api` (intake only), `worker` (worker only)",
        defaultValue: .fixed(Settings.Role.all.rawValue), rule: .oneOf(Settings.Role.allCases.map(\.rawValue)))

    static let stripeSecretKey = SettingDescriptor(
        variable: "STRIPE_SECRET_KEY", option: \.stripeSecretKey,
        meaning: "unset: sandbox mode; `sk_test_…`: test mode; `sk_live_…` needs `ALLOW_LIVE_KEYS=1`",
        defaultValue: .described("unset"),
        rule: .valid(complaint: "must start with sk_test_ or sk_live_") { $0.hasPrefix("sk_test_") || $0.hasPrefix("sk_live_") })

    static let stripeAPIBase = SettingDescriptor(
        variable: "STRIPE_API_BASE", option: \.stripeApiBase,
        meaning: "processor base URL (a standalone `stripe-sandbox`, with any `sk_test_` key)",
        defaultValue: .fixed("https://api.stripe.com", note: "sandbox mode: the embedded emulator"),
        rule: .valid(complaint: "must be an http(s) URL") { base in
            (base.hasPrefix("http://") || base.hasPrefix("https://")) && URLComponents(string: base)?.host?.isEmpty == false
        })

    static let sandboxPort = SettingDescriptor(
        variable: "SANDBOX_PORT", option: \.sandboxPort,
        meaning: "sandbox mode: the embedded emulator's port",
        defaultValue: .fixed("12112"), rule: .number(1...65535))

    static let stripeWebhookSecret = SettingDescriptor(
        variable: "STRIPE_WEBHOOK_SECRET", option: \.stripeWebhookSecret,
        meaning: "comma-separated `whsec_…` secrets",
        defaultValue: .described("sandbox mode: generated and shared with the emulator; otherwise required"))

    static let paymentAPITokens = SettingDescriptor(
        variable: "PAYMENT_API_TOKENS", option: \.paymentApiTokens,
        meaning: "comma-separated credentials: `name:scope+scope…:secret` (scopes `authorize`, `capture`, `void`, `refund`, `read`, `events`, `admin`), or a plain token with every scope",
        defaultValue: .described("required outside sandbox mode; unset in sandbox mode = auth off (warned)"))

    static let defaultPaymentMethod = SettingDescriptor(
        variable: "DEFAULT_PAYMENT_METHOD", option: \.defaultPaymentMethod,
        meaning: "used when a command has no `paymentMethod`",
        defaultValue: .byProcessor("`pm_card_visa` (sandbox, test); none in live mode") { $0.mode == .live ? nil : "pm_card_visa" })

    static let workerConcurrency = SettingDescriptor(
        variable: "WORKER_CONCURRENCY", option: \.workerConcurrency,
        meaning: "processor operations in flight at once",
        defaultValue: .fixed("16"), rule: .number(1...1024))

    static let stripeSearchLag = SettingDescriptor(
        variable: "STRIPE_SEARCH_LAG", option: \.stripeSearchLag,
        meaning: "seconds the processor's search may lag behind a create: a create whose key replays a saved 500 moves to "
            + "the next key only after searching this long in vain",
        defaultValue: .byProcessor("`60` for `api.stripe.com`, else `1`") { $0.isStripe ? "60" : "1" },
        rule: .number(0...3600))

    static let workerLease = SettingDescriptor(
        variable: "WORKER_LEASE", option: \.workerLease,
        meaning: "seconds a claim on an operation lasts without its heartbeat (extended every third of it while the runner "
            + "works; a crashed worker's operations wait this long)",
        defaultValue: .fixed("15"), rule: .number(1...3600))

    static let authenticationTimeout = SettingDescriptor(
        variable: "AUTHENTICATION_TIMEOUT", option: \.authenticationTimeout,
        meaning: "seconds a customer-present payment may wait in REQUIRES_ACTION for the customer's 3-D Secure challenge; "
            + "then its intent is cancelled and the payment fails (`authentication_abandoned`)",
        defaultValue: .fixed("900"), rule: .number(1...86400))

    static let expiryWarning = SettingDescriptor(
        variable: "EXPIRY_WARNING", option: \.expiryWarning,
        meaning: "seconds before an uncaptured hold's deadline (`authorizationExpiresAt`) that "
            + "`payment-authorization-expiring` is published, once per payment",
        defaultValue: .fixed("86400"), rule: .number(0...2_592_000))

    static let expiredHoldPolicy = SettingDescriptor(
        variable: "EXPIRED_HOLD_POLICY", option: \.expiredHoldPolicy,
        meaning: "`void` releases an uncaptured hold an hour before its deadline (`voidReason` `EXPIRY_POLICY`); "
            + "`leave` lets the processor drop it (`EXPIRED`)",
        defaultValue: .fixed("leave"), rule: .oneOf(HoldExpiry.Policy.allCases.map(\.rawValue)))

    static let stripeMaxRPS = SettingDescriptor(
        variable: "STRIPE_MAX_RPS", option: \.stripeMaxRps,
        meaning: "client-side request rate limit towards the processor (`0`: unlimited)",
        defaultValue: .byProcessor("25 for `api.stripe.com`, else unlimited") { $0.isStripe ? "25" : "0" },
        rule: .number(0...100_000))

    static let reconciliationInterval = SettingDescriptor(
        variable: "RECONCILIATION_INTERVAL", option: \.reconciliationInterval,
        meaning: "seconds between the worker's scheduled reconciliation runs (`0`: none; `payment-service reconcile` runs one at "
            + "any time)",
        defaultValue: .fixed("86400"), rule: .number(0...31_536_000))

    static let dbPoolSize = SettingDescriptor(
        variable: "DB_POOL_SIZE", option: \.dbPoolSize,
        meaning: "PostgreSQL connections (each on its own thread)",
        defaultValue: .fixed("16"), rule: .number(1...500))

    static let webhookConcurrency = SettingDescriptor(
        variable: "WEBHOOK_CONCURRENCY", option: \.webhookConcurrency,
        meaning: "webhook endpoints pushed to at once, on the worker's own HTTP client apart from the processor's (each "
            + "endpoint has one request in flight at a time)",
        defaultValue: .fixed("4"), rule: .number(1...256))

    static let webhookAllowPrivate = SettingDescriptor(
        variable: "WEBHOOK_ALLOW_PRIVATE", option: \.webhookAllowPrivate,
        meaning: "`1` lets webhook endpoints reach loopback, private, link-local and CGNAT addresses (tests and local demos); "
            + "`0` refuses them, as literals when an endpoint is saved and as resolved addresses at every connect",
        defaultValue: .byProcessor("`1` in sandbox mode (with a warning), else `0`") { $0.isSandbox ? "1" : "0" },
        rule: .oneOf(["0", "1"]))

    static let allowLiveKeys = SettingDescriptor(
        variable: "ALLOW_LIVE_KEYS", option: \.allowLiveKeys,
        meaning: "`1` accepts `sk_live_` keys",
        defaultValue: .fixed("0"))

    static let logLevel = SettingDescriptor(
        variable: "LOG_LEVEL", option: \.logLevel,
        meaning: "`trace`…`critical`",
        defaultValue: .fixed(Logger.Level.info.rawValue), rule: .oneOf(Logger.Level.allCases.map(\.rawValue)))

    static let logFormat = SettingDescriptor(
        variable: "LOG_FORMAT", option: \.logFormat,
        meaning: "`json` or `text`",
        defaultValue: .described("`text` on a terminal, else `json`"), rule: .oneOf(["json", "text"]))

    static let otlpEndpoint = SettingDescriptor(
        variable: "OTEL_EXPORTER_OTLP_ENDPOINT", option: \.otelExporterOtlpEndpoint,
        meaning: "OpenTelemetry collector base URL: spans are posted to `<it>/v1/traces` as OTLP/HTTP JSON",
        defaultValue: .described("unset: no spans are made or exported"),
        rule: .valid(complaint: "must be an http(s) URL") { base in
            (base.hasPrefix("http://") || base.hasPrefix("https://")) && URLComponents(string: base)?.host?.isEmpty == false
        })

    static let otlpHeaders = SettingDescriptor(
        variable: "OTEL_EXPORTER_OTLP_HEADERS", option: \.otelExporterOtlpHeaders,
        meaning: "headers sent with each export (a collector's key): `name=value` pairs joined by `,`, values "
            + "percent-encoded; never logged",
        defaultValue: .described("none"),
        // The value is never quoted back: it holds the collector's credentials.
        rule: .valid(complaint: "must be name=value pairs joined by commas (HTTP token names; no control characters)") {
            OTLPHeaders.parse($0) != nil
        })
}
