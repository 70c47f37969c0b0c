import Foundation

/// Runs `python3`: the validators the tests hold documents and answers against are Python packages
/// (`jsonschema`, `openapi-spec-validator`), which `make pydeps` installs.
public enum PythonScript {
    public struct Result: Sendable {
        public let status: Int32
        public let output: String

        /// Why the run failed, worded for a test's message (nil when it exited 0). A missing `python3` or
        /// package fails the test like any other error: nothing is skipped.
        public var failure: String? {
            if status == 0 { return nil }
            if status == 127 { return "python3 was not found (exit 127): install Python 3, then `make pydeps`\n\(output)" }
            if output.contains("No module named") {
                return "a Python package the test needs is missing: `make pydeps` installs it\n\(output)"
            }
            return "python3 exited \(status)\n\(output)"
        }
    }

    /// Runs `python3 arguments…` and returns its exit status with everything it printed.
    public static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self))
    }

    /// Runs `script` (under `Sandbox/scripts`) over `input`, written to a temporary file given as its last argument.
    public static func run(script: String, arguments: [String], input: Data) throws -> Result {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(script)-\(UUID().uuidString.prefix(8)).json")
        try input.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let path = EventSchemaCheck.packageRoot.appendingPathComponent("Sandbox/scripts/\(script)").path
        return try run([path] + arguments + [file.path])
    }
}
