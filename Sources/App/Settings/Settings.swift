import Foundation
import APIActor
import Logging
import Payments
import Telemetry

/// The validated configuration. Building it is the only place settings are read (`SettingDescriptor.all` says which
/// exist and how each is checked); an invalid one stops the start with a message naming it.
struct Settings: Sendable {
    enum Role: String, Sendable, CaseIterable { case all, api, worker }

    enum ProcessorMode: Sendable, Equatable {
        /// The embedded emulator, reached over HTTP on loopback through the real gateway.
        case sandbox(port: Int)
        case test
        case live
    }

    /// The processor the key and base chose.
    struct Processor: Sendable {
        var mode: ProcessorMode
        var secretKey: String
        var apiBase: String

        var isSandbox: Bool { if case .sandbox = mode { true } else { false } }
        var isStripe: Bool { apiBase.contains("api.stripe.com") }
    }

    struct Invalid: Error, CustomStringConvertible {
        var message: String
        var description: String { message }

        static func required(_ setting: SettingDescriptor) -> Invalid {
            Invalid(message: "\(setting.variable) is required outside sandbox mode")
        }
    }

    var databaseURL: String
    var host: String
    var port: Int
    var role: Role
    var mode: ProcessorMode
    var stripeSecretKey: String
    var stripeAPIBase: String
    var webhookSecrets: [String]
    var apiCredentials: Credentials
    var defaultPaymentMethod: String?
    var workerConcurrency: Int
    /// `WORKER_LEASE`, in seconds.
    var workerLease: Int
    /// `STRIPE_SEARCH_LAG`, in seconds.
    var stripeSearchLag: Int
    /// `AUTHENTICATION_TIMEOUT`, in seconds.
    var authenticationTimeout: Int
    /// `EXPIRY_WARNING` and `EXPIRED_HOLD_POLICY`.
    var holdExpiry: HoldExpiry
    var stripeMaxRPS: Int?
    /// `RECONCILIATION_INTERVAL`, in seconds; 0: no scheduled run.
    var reconciliationInterval: Int
    var dbPoolSize: Int
    /// `WEBHOOK_CONCURRENCY` and `WEBHOOK_ALLOW_PRIVATE`.
    var webhookConcurrency: Int
    var webhookAllowPrivate: Bool
    var logLevel: Logger.Level
    var logJSON: Bool
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`; nil: tracing is off.
    var otlpEndpoint: String?
    /// `OTEL_EXPORTER_OTLP_HEADERS`, decoded.
    var otlpHeaders: [(String, String)]

    var runsAPI: Bool { role != .worker }
    var runsWorker: Bool { role != .api }

    /// Settings are read in this order, so the first invalid one is the one reported.
    init(_ options: Options, environment: [String: String] = ProcessInfo.processInfo.environment) throws(Invalid) {
        let source = SettingSource(options: options, environment: environment)
        databaseURL = try source.text(.databaseURL)
        host = try source.text(.host)
        port = try source.number(.port)
        role = try source.choice(.role, as: Role.self) ?? .all
        let processor = try Processor(source)
        (mode, stripeSecretKey, stripeAPIBase) = (processor.mode, processor.secretKey, processor.apiBase)
        webhookSecrets = try Self.webhookSecrets(source, processor: processor, runsAPI: role != .worker)
        apiCredentials = try Self.credentials(source)
        if apiCredentials.isEmpty && !processor.isSandbox && role != .worker { throw .required(.paymentAPITokens) }
        defaultPaymentMethod = try source.value(.defaultPaymentMethod, processor: processor)
        workerConcurrency = try source.number(.workerConcurrency)
        workerLease = try source.number(.workerLease)
        stripeSearchLag = try source.number(.stripeSearchLag, processor: processor)
        authenticationTimeout = try source.number(.authenticationTimeout)
        holdExpiry = HoldExpiry(
            warning: .seconds(try source.number(.expiryWarning)), policy: try source.choice(.expiredHoldPolicy, as: HoldExpiry.Policy.self) ?? .leave)
        let rps = try source.number(.stripeMaxRPS, processor: processor)
        stripeMaxRPS = rps == 0 ? nil : rps
        reconciliationInterval = try source.number(.reconciliationInterval)
        dbPoolSize = try source.number(.dbPoolSize)
        webhookConcurrency = try source.number(.webhookConcurrency)
        webhookAllowPrivate = try source.value(.webhookAllowPrivate, processor: processor) == "1"
        logLevel = try source.choice(.logLevel, as: Logger.Level.self) ?? .info
        logJSON = try source.value(.logFormat).map { $0 == "json" } ?? (isatty(STDOUT_FILENO) == 0)
        otlpEndpoint = try source.value(.otlpEndpoint)
        otlpHeaders = try source.value(.otlpHeaders).flatMap(OTLPHeaders.parse) ?? []
    }

    /// A duplicate name or an unknown scope stops the start; the message names the entry, never its secret.
    private static func credentials(_ source: SettingSource) throws(Invalid) -> Credentials {
        do {
            return try Credentials(parsing: source.list(.paymentAPITokens))
        } catch {
            throw Invalid(message: "PAYMENT_API_TOKENS: \(error.description)")
        }
    }

    /// Sandbox mode shares a fresh secret with the embedded emulator; elsewhere the API cannot check webhooks without one.
    private static func webhookSecrets(_ source: SettingSource, processor: Processor, runsAPI: Bool) throws(Invalid) -> [String] {
        let secrets = source.list(.stripeWebhookSecret)
        guard secrets.isEmpty else { return secrets }
        if processor.isSandbox {
            return ["whsec_sandbox_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()]
        }
        if runsAPI { throw .required(.stripeWebhookSecret) }
        return []
    }
}

extension Settings.Processor {
    /// No key and no base: sandbox mode. A key picks test or live mode (live only when allowed); a base needs a key.
    init(_ source: SettingSource) throws(Settings.Invalid) {
        let sandboxPort = try source.number(.sandboxPort)
        guard let key = try source.value(.stripeSecretKey) else {
            guard source.isUnset(.stripeAPIBase) else {
                throw Settings.Invalid(message: "STRIPE_API_BASE needs a STRIPE_SECRET_KEY (any sk_test_… key for a stripe-sandbox)")
            }
            self.init(mode: .sandbox(port: sandboxPort), secretKey: "sk_test_sandbox", apiBase: "http://127.0.0.1:\(sandboxPort)")
            return
        }
        let live = key.hasPrefix("sk_live_")
        let allowed = try source.text(.allowLiveKeys) == "1"
        guard !live || allowed else {
            throw Settings.Invalid(message: "STRIPE_SECRET_KEY is a live key; set ALLOW_LIVE_KEYS=1 to accept it")
        }
        self.init(mode: live ? .live : .test, secretKey: key, apiBase: try source.text(.stripeAPIBase))
    }
}
