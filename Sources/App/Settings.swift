import Foundation
import Logging
import Store

/// The validated configuration. Building it is the only place settings are read; an invalid one stops the
/// start with a message naming it.
struct Settings: Sendable {
    enum Role: String, Sendable { case all, api, worker }

    enum ProcessorMode: Sendable, Equatable {
        /// The embedded emulator, reached over HTTP on loopback through the real gateway.
        case sandbox(port: Int)
        case test
        case live
    }

    struct Invalid: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    var databaseURL: String
    var host: String
    var port: Int
    var role: Role
    var mode: ProcessorMode
    var stripeSecretKey: String
    var stripeAPIBase: String
    var webhookSecrets: [String]
    var apiTokens: [String]
    var defaultPaymentMethod: String?
    var workerConcurrency: Int
    /// `WORKER_LEASE`, in seconds.
    var workerLease: Int
    /// `STRIPE_SEARCH_LAG`, in seconds.
    var stripeSearchLag: Int
    var stripeMaxRPS: Int?
    var dbPoolSize: Int
    var logLevel: Logger.Level
    var logJSON: Bool

    var runsAPI: Bool { role != .worker }
    var runsWorker: Bool { role != .api }

    init(_ options: Options, environment env: [String: String] = ProcessInfo.processInfo.environment) throws(Invalid) {
        func value(_ flag: String?, _ name: String) -> String? {
            let v = flag ?? env[name]
            return v?.isEmpty == true ? nil : v
        }
        databaseURL = value(options.databaseUrl, "DATABASE_URL") ?? "postgresql://postgres@127.0.0.1:5432/payments"
        // The URL is never quoted back: it may hold the database password.
        guard databaseURL.hasPrefix("postgresql://") || databaseURL.hasPrefix("postgres://"),
            URLComponents(string: databaseURL) != nil, ConnectionURL.isValid(databaseURL)
        else {
            throw Invalid(message: "DATABASE_URL must be a valid postgresql:// URI (postgresql://user:password@host:port/database)")
        }
        host = value(options.host, "HOST") ?? "127.0.0.1"
        port = try Self.integer(value(options.port, "PORT"), "PORT", default: 8080, range: 0...65535)
        guard let role = Role(rawValue: value(options.role, "ROLE") ?? "all") else {
            throw Invalid(message: "ROLE must be all, api or worker")
        }
        self.role = role
        let key = value(options.stripeSecretKey, "STRIPE_SECRET_KEY")
        let base = value(options.stripeApiBase, "STRIPE_API_BASE")
        let sandboxPort = try Self.integer(value(options.sandboxPort, "SANDBOX_PORT"), "SANDBOX_PORT", default: 12112, range: 1...65535)
        switch (key, base) {
        case (nil, nil):
            mode = .sandbox(port: sandboxPort)
            stripeSecretKey = "sk_test_sandbox"
            stripeAPIBase = "http://127.0.0.1:\(sandboxPort)"
        case (nil, _?):
            throw Invalid(message: "STRIPE_API_BASE needs a STRIPE_SECRET_KEY (any sk_test_… key for a stripe-sandbox)")
        case (let key?, _):
            if key.hasPrefix("sk_test_") {
                mode = .test
            } else if key.hasPrefix("sk_live_") {
                guard value(options.allowLiveKeys, "ALLOW_LIVE_KEYS") == "1" else {
                    throw Invalid(message: "STRIPE_SECRET_KEY is a live key; set ALLOW_LIVE_KEYS=1 to accept it")
                }
                mode = .live
            } else {
                throw Invalid(message: "STRIPE_SECRET_KEY must start with sk_test_ or sk_live_")
            }
            stripeSecretKey = key
            stripeAPIBase = base ?? "https://api.stripe.com"
            guard stripeAPIBase.hasPrefix("http://") || stripeAPIBase.hasPrefix("https://"),
                URLComponents(string: stripeAPIBase)?.host?.isEmpty == false
            else {
                throw Invalid(message: "STRIPE_API_BASE must be an http(s) URL")
            }
        }
        let sandbox = if case .sandbox = mode { true } else { false }
        webhookSecrets = Self.list(value(options.stripeWebhookSecret, "STRIPE_WEBHOOK_SECRET"))
        if webhookSecrets.isEmpty {
            guard sandbox || !runsAPIFor(role) else { throw Invalid(message: "STRIPE_WEBHOOK_SECRET is required outside sandbox mode") }
            webhookSecrets = sandbox ? ["whsec_sandbox_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()] : []
        }
        apiTokens = Self.list(value(options.paymentApiTokens, "PAYMENT_API_TOKENS"))
        if apiTokens.isEmpty && !sandbox && runsAPIFor(role) {
            throw Invalid(message: "PAYMENT_API_TOKENS is required outside sandbox mode")
        }
        defaultPaymentMethod = value(options.defaultPaymentMethod, "DEFAULT_PAYMENT_METHOD") ?? (mode == .live ? nil : "pm_card_visa")
        workerConcurrency = try Self.integer(value(options.workerConcurrency, "WORKER_CONCURRENCY"), "WORKER_CONCURRENCY", default: 16, range: 1...1024)
        workerLease = try Self.integer(value(options.workerLease, "WORKER_LEASE"), "WORKER_LEASE", default: 15, range: 1...3600)
        let defaultRPS = stripeAPIBase.contains("api.stripe.com") ? 25 : 0
        stripeSearchLag = try Self.integer(
            value(options.stripeSearchLag, "STRIPE_SEARCH_LAG"), "STRIPE_SEARCH_LAG",
            default: stripeAPIBase.contains("api.stripe.com") ? 60 : 1, range: 0...3600)
        let rps = try Self.integer(value(options.stripeMaxRps, "STRIPE_MAX_RPS"), "STRIPE_MAX_RPS", default: defaultRPS, range: 0...100_000)
        stripeMaxRPS = rps == 0 ? nil : rps
        dbPoolSize = try Self.integer(value(options.dbPoolSize, "DB_POOL_SIZE"), "DB_POOL_SIZE", default: 16, range: 1...500)
        guard let level = Logger.Level(rawValue: value(options.logLevel, "LOG_LEVEL") ?? "info") else {
            throw Invalid(message: "LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical")
        }
        logLevel = level
        switch value(options.logFormat, "LOG_FORMAT") {
        case nil: logJSON = isatty(STDOUT_FILENO) == 0
        case "json": logJSON = true
        case "text": logJSON = false
        default: throw Invalid(message: "LOG_FORMAT must be json or text")
        }
    }

    private static func integer(_ text: String?, _ name: String, default value: Int, range: ClosedRange<Int>) throws(Invalid) -> Int {
        guard let text else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw Invalid(message: "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(text)\"")
        }
        return number
    }

    private static func list(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

private func runsAPIFor(_ role: Settings.Role) -> Bool { role != .worker }
