import Foundation

/// Runs `payment-service` to its end (for configuration errors, `--help`, `migrate`): exit status and
/// everything it wrote to stdout and stderr. Killed after `timeout`.
public struct BinaryRun: Sendable {
    public var status: Int32
    public var output: String

    public static func run(
        _ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(20)
    ) async throws -> BinaryRun {
        let process = Process()
        process.executableURL = ServiceProcess.binary("payment-service")
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("STRIPE_") && $0.key != "PAYMENT_API_TOKENS" }
        env["LOG_FORMAT"] = "text"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("payment-service-run-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw HarnessError(message: "payment-service \(arguments) still running after \(timeout)")
        }
        try handle.close()
        let output = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: file)
        return BinaryRun(status: process.terminationStatus, output: output)
    }
}
