import Logging
import Telemetry

enum LoggingSetup {
    /// `standardError`: a command whose stdout is its report (`reconcile`) logs there instead. With tracing on,
    /// each line carries its span's `trace_id` and `span_id` (`Traces.logMetadata`).
    static func bootstrap(level: Logger.Level, json: Bool, standardError: Bool = false) {
        LoggingSystem.bootstrap({ label, provider in
            var handler: any LogHandler = json
                ? JSONLogHandler(label: label, standardError: standardError, metadataProvider: provider)
                : standardError
                    ? StreamLogHandler.standardError(label: label, metadataProvider: provider)
                    : StreamLogHandler.standardOutput(label: label, metadataProvider: provider)
            handler.logLevel = level
            return handler
        }, metadataProvider: Traces.logMetadata)
    }
}
