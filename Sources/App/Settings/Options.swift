import ArgumentParser

/// Every setting, as a flag; each falls back to its environment variable, then to its default. Names, help and
/// defaults come from `SettingDescriptor.all`; each descriptor reads its value here by key path.
struct Options: ParsableArguments {
    @Option(help: .setting(.databaseURL)) var databaseUrl: String?
    @Option(help: .setting(.host)) var host: String?
    @Option(help: .setting(.port)) var port: String?
    @Option(help: .setting(.role)) var role: String?
    @Option(help: .setting(.stripeSecretKey)) var stripeSecretKey: String?
    @Option(help: .setting(.stripeAPIBase)) var stripeApiBase: String?
    @Option(help: .setting(.sandboxPort)) var sandboxPort: String?
    @Option(help: .setting(.stripeWebhookSecret)) var stripeWebhookSecret: String?
    @Option(help: .setting(.paymentAPITokens)) var paymentApiTokens: String?
    @Option(help: .setting(.defaultPaymentMethod)) var defaultPaymentMethod: String?
    @Option(help: .setting(.workerConcurrency)) var workerConcurrency: String?
    @Option(help: .setting(.stripeSearchLag)) var stripeSearchLag: String?
    @Option(help: .setting(.workerLease)) var workerLease: String?
    @Option(help: .setting(.authenticationTimeout)) var authenticationTimeout: String?
    @Option(help: .setting(.expiryWarning)) var expiryWarning: String?
    @Option(help: .setting(.expiredHoldPolicy)) var expiredHoldPolicy: String?
    @Option(help: .setting(.stripeMaxRPS)) var stripeMaxRps: String?
    @Option(help: .setting(.reconciliationInterval)) var reconciliationInterval: String?
    @Option(help: .setting(.dbPoolSize)) var dbPoolSize: String?
    @Option(help: .setting(.webhookConcurrency)) var webhookConcurrency: String?
    @Option(help: .setting(.webhookAllowPrivate)) var webhookAllowPrivate: String?
    @Option(help: .setting(.allowLiveKeys)) var allowLiveKeys: String?
    @Option(help: .setting(.logLevel)) var logLevel: String?
    @Option(help: .setting(.logFormat)) var logFormat: String?
    @Option(help: .setting(.otlpEndpoint)) var otelExporterOtlpEndpoint: String?
    @Option(help: .setting(.otlpHeaders)) var otelExporterOtlpHeaders: String?
}

extension ArgumentHelp {
    static func setting(_ setting: SettingDescriptor) -> ArgumentHelp {
        ArgumentHelp(SettingsDocumentation.flagHelp(setting))
    }
}
