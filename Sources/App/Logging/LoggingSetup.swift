import Logging

enum LoggingSetup {
    /// `standardError`: a command whose stdout is its report (`reconcile`) logs there instead.
    static func bootstrap(level: Logger.Level, json: Bool, standardError: Bool = false) {
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = json
                ? JSONLogHandler(label: label, standardError: standardError)
                : standardError ? StreamLogHandler.standardError(label: label) : StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
