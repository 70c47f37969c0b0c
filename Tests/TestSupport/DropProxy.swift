import Foundation

/// `Sandbox/scripts/pg-drop-proxy.py` in front of the test PostgreSQL: a real TCP proxy that a test arms to
/// lose the reply of one committing statement (the server commits; the client never hears of it).
public final class DropProxy: @unchecked Sendable {
    public enum Moment: String, Sendable {
        /// The reply of the matching statement itself (an autocommit statement).
        case ownReply = "self"
        /// The reply of the COMMIT that follows the matching statement on its connection.
        case commitAfter = "commit"
    }

    public let port: Int
    private let process: Process
    private let folder: URL

    /// Starts the proxy towards the server of `databaseURL` (a `postgresql://…@host:port/db` URI).
    public static func start(upstreamOf databaseURL: String) throws -> DropProxy {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("drop-proxy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var script = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { script.deleteLastPathComponent() }
        script.appendPathComponent("Sandbox/scripts/pg-drop-proxy.py")
        process.arguments = ["python3", script.path, "--upstream", Self.hostPort(databaseURL), "--control", folder.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let line = String(decoding: output.fileHandleForReading.availableLine(), as: UTF8.self)
        guard line.hasPrefix("listening "), let port = Int(line.dropFirst("listening ".count).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw HarnessError(message: "pg-drop-proxy did not start: \(line)")
        }
        return DropProxy(port: port, process: process, folder: folder)
    }

    private init(port: Int, process: Process, folder: URL) {
        self.port = port
        self.process = process
        self.folder = folder
    }

    /// `url` with its host and port replaced by the proxy's.
    public func route(_ url: String) -> String {
        url.replacingOccurrences(of: Self.hostPort(url), with: "127.0.0.1:\(port)")
    }

    /// Arms one loss: at `moment` of the next statement whose SQL text (or prepared name) matches `pattern`.
    public func arm(_ moment: Moment, matching pattern: String) throws {
        try "\(moment.rawValue) \(pattern)".write(to: folder.appendingPathComponent("arm"), atomically: true, encoding: .utf8)
    }

    /// How many replies were lost so far.
    public var fired: Int {
        (try? String(contentsOf: folder.appendingPathComponent("fired"), encoding: .utf8)).flatMap { Int($0) } ?? 0
    }

    /// Ends the proxy without waiting for it (a wait here would hold a thread of the cooperative pool, which the
    /// in-process sandbox needs).
    public func stop() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        try? FileManager.default.removeItem(at: folder)
    }

    static func hostPort(_ url: String) -> String {
        let afterScheme = url.components(separatedBy: "://").last ?? url
        let authority = afterScheme.split(separator: "/", maxSplits: 1).first.map(String.init) ?? afterScheme
        return authority.split(separator: "@").last.map(String.init) ?? authority
    }
}

extension FileHandle {
    /// Reads up to the first newline (blocking).
    fileprivate func availableLine() -> [UInt8] {
        var line: [UInt8] = []
        while let byte = try? read(upToCount: 1), let first = byte.first, first != UInt8(ascii: "\n") { line.append(first) }
        return line
    }
}
