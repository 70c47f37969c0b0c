import Testing

@testable import App

@Suite struct SettingsTests {
    static let testKey = ["STRIPE_SECRET_KEY": "sk_test_x", "PAYMENT_API_TOKENS": "t", "STRIPE_WEBHOOK_SECRET": "whsec_x"]

    static func settings(_ environment: [String: String], _ arguments: [String] = []) throws -> Settings {
        try Settings(Options.parse(arguments), environment: environment)
    }

    static func message(_ environment: [String: String], _ arguments: [String] = []) throws -> String? {
        let options = try Options.parse(arguments)
        do {
            _ = try Settings(options, environment: environment)
            return nil
        } catch {
            return error.message
        }
    }

    @Test("nothing set: sandbox mode with every default")
    func defaults() throws {
        let settings = try Self.settings([:])
        #expect(settings.databaseURL == "postgresql://postgres@127.0.0.1:5432/payments")
        #expect((settings.host, settings.port, settings.role) == ("127.0.0.1", 8080, .all))
        #expect(settings.mode == .sandbox(port: 12112))
        #expect((settings.stripeSecretKey, settings.stripeAPIBase) == ("sk_test_sandbox", "http://127.0.0.1:12112"))
        #expect(settings.webhookSecrets.count == 1 && settings.webhookSecrets[0].hasPrefix("whsec_sandbox_"))
        #expect(settings.apiCredentials.isEmpty)
        #expect(settings.defaultPaymentMethod == "pm_card_visa")
        #expect((settings.workerConcurrency, settings.workerLease, settings.stripeSearchLag) == (16, 15, 1))
        #expect(settings.stripeMaxRPS == nil)
        #expect(settings.dbPoolSize == 16)
        #expect(settings.logLevel == .info)
    }

    @Test("the processor decides the search lag, the rate limit and the default payment method")
    func processorDefaults() throws {
        let stripe = try Self.settings(Self.testKey)
        #expect((stripe.mode, stripe.stripeAPIBase) == (.test, "https://api.stripe.com"))
        #expect((stripe.stripeSearchLag, stripe.stripeMaxRPS, stripe.defaultPaymentMethod) == (60, 25, "pm_card_visa"))
        let standalone = try Self.settings(Self.testKey.merging(["STRIPE_API_BASE": "http://127.0.0.1:1"]) { $1 })
        #expect((standalone.stripeSearchLag, standalone.stripeMaxRPS) == (1, nil))
        let live = try Self.settings(Self.testKey.merging(["STRIPE_SECRET_KEY": "sk_live_x", "ALLOW_LIVE_KEYS": "1"]) { $1 })
        #expect((live.mode, live.defaultPaymentMethod) == (.live, nil))
    }

    @Test("a flag wins over its variable; an empty value is unset")
    func precedence() throws {
        #expect(try Self.settings(["PORT": "1"], ["--port", "2"]).port == 2)
        #expect(try Self.settings(["PORT": ""]).port == 8080)
        #expect(try Self.settings(["LOG_FORMAT": "text"], ["--log-format", "json"]).logJSON)
        #expect(try Self.settings(["ROLE": "worker"]).runsAPI == false)
    }

    static let invalid: [(environment: [String: String], arguments: [String], message: String)] = [
        (["DATABASE_URL": "mysql://root@localhost/payments"], [],
         "DATABASE_URL must be a valid postgresql:// URI (postgresql://user:password@host:port/database)"),
        (["PORT": "70000"], [], "PORT must be a whole number from 0 to 65535, not \"70000\""),
        ([:], ["--worker-concurrency=-4"], "WORKER_CONCURRENCY must be a whole number from 1 to 1024, not \"-4\""),
        (["ROLE": "boss"], [], "ROLE must be all, api or worker"),
        (["SANDBOX_PORT": "0"], [], "SANDBOX_PORT must be a whole number from 1 to 65535, not \"0\""),
        (["STRIPE_API_BASE": "http://127.0.0.1:1"], [], "STRIPE_API_BASE needs a STRIPE_SECRET_KEY (any sk_test_… key for a stripe-sandbox)"),
        (["STRIPE_SECRET_KEY": "pk_test_x"], [], "STRIPE_SECRET_KEY must start with sk_test_ or sk_live_"),
        (["STRIPE_SECRET_KEY": "sk_live_x"], [], "STRIPE_SECRET_KEY is a live key; set ALLOW_LIVE_KEYS=1 to accept it"),
        (testKey.merging(["STRIPE_API_BASE": "https://"]) { $1 }, [], "STRIPE_API_BASE must be an http(s) URL"),
        (["STRIPE_SECRET_KEY": "sk_test_x", "PAYMENT_API_TOKENS": "t"], [], "STRIPE_WEBHOOK_SECRET is required outside sandbox mode"),
        (["STRIPE_SECRET_KEY": "sk_test_x", "STRIPE_WEBHOOK_SECRET": "w"], [], "PAYMENT_API_TOKENS is required outside sandbox mode"),
        (["STRIPE_SEARCH_LAG": "3601"], [], "STRIPE_SEARCH_LAG must be a whole number from 0 to 3600, not \"3601\""),
        (["STRIPE_MAX_RPS": "-5"], [], "STRIPE_MAX_RPS must be a whole number from 0 to 100000, not \"-5\""),
        (["DB_POOL_SIZE": "0"], [], "DB_POOL_SIZE must be a whole number from 1 to 500, not \"0\""),
        (["LOG_LEVEL": "loud"], [], "LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical"),
        (["LOG_FORMAT": "xml"], [], "LOG_FORMAT must be json or text"),
        (["OTEL_EXPORTER_OTLP_ENDPOINT": "grpc://collector:4317"], [], "OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL"),
        (["OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer%0d%0aX-Forged: 1"], [],
         "OTEL_EXPORTER_OTLP_HEADERS must be name=value pairs joined by commas (HTTP token names; no control characters)"),
        (["PAYMENT_API_TOKENS": "ops:admin:s3cr3t-one,ops:read:s3cr3t-two"], [], "PAYMENT_API_TOKENS: entries 1 and 2 have the same credential name"),
        (["PAYMENT_API_TOKENS": "ordering:authorize+reed:s3cr3t"], [],
         "PAYMENT_API_TOKENS: entry 1 names an unknown scope (known: authorize, capture, void, refund, read, events, admin)"),
        (["PAYMENT_API_TOKENS": "ops:admin:"], [], "PAYMENT_API_TOKENS: entry 1 has an empty secret"),
        (["PAYMENT_API_TOKENS": "0123456789abcdef0123456789abcdef:read:s3cr3t"], [],
         "PAYMENT_API_TOKENS: entry 1: a name of 32 hex digits would share a plain token's idempotency scope"),
        (["PAYMENT_API_TOKENS": "bad name:read:s3cr3t"], [],
         "PAYMENT_API_TOKENS: entry 1: a credential name must be 1 to 64 letters, digits, '-', '_' or '.'"),
    ]

    @Test("each invalid setting is refused with its message", arguments: 0..<invalid.count)
    func refused(_ index: Int) throws {
        let (environment, arguments, message) = Self.invalid[index]
        #expect(try Self.message(environment, arguments) == message)
    }

    @Test("a worker needs neither tokens nor a webhook secret")
    func workerOnly() throws {
        let worker = try Self.settings(["STRIPE_SECRET_KEY": "sk_test_x", "ROLE": "worker"])
        #expect(worker.webhookSecrets.isEmpty && worker.apiCredentials.isEmpty)
    }
}
