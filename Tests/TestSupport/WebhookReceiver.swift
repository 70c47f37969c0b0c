import Foundation

/// A subscriber's endpoint in its own process (`Sandbox/scripts/webhook-receiver.py`): it answers each POST as its
/// plan says and logs what it got, checking each signature with the README's own verification snippet. Killing
/// it (or a plan's `die`) is a receiver going down mid-delivery; `start(port:)` brings one back on the same port.
public final class WebhookReceiver: @unchecked Sendable {
    /// One POST as the receiver logged it.
    public struct Received: Sendable, Decodable {
        public var n: Int
        public var action: String
        public var eventId: String?
        public var eventType: String?
        public var redelivery: Bool
        /// Indexes into the receiver's secrets under which the signature verified.
        public var verified: [Int]
        /// The body's `id`.
        public var bodyId: String?

        enum CodingKeys: String, CodingKey {
            case n, action, redelivery, verified
            case eventId = "event_id"
            case eventType = "event_type"
            case bodyId = "body_id"
        }
    }

    public let port: Int
    public let log: URL
    private let process: Process

    public var url: String { "http://127.0.0.1:\(port)/hook" }

    private init(port: Int, log: URL, process: Process) {
        self.port = port
        self.log = log
        self.process = process
    }

    /// `plan`: the actions of the first requests ("500", "slow:2", "die"; then 200). `log`: appended to, so a
    /// receiver started again on the same port and log continues it.
    public static func start(
        port: Int = 0, log: URL? = nil, secrets: [String] = [], plan: [String] = [], flakySeed: Int? = nil
    ) throws -> WebhookReceiver {
        let log = log ?? FileManager.default.temporaryDirectory.appendingPathComponent("webhook-\(UUID().uuidString.prefix(8)).jsonl")
        let script = EventSchemaCheck.packageRoot.appendingPathComponent("Sandbox/scripts/webhook-receiver.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = ["python3", script, "--port", String(port), "--log", log.path, "--plan", String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)]
        for secret in secrets { arguments += ["--secret", secret] }
        if let flakySeed { arguments += ["--flaky", String(flakySeed)] }
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let line = out.fileHandleForReading.readLine()
        guard let line, let bound = Int(line) else {
            process.terminate()
            throw HarnessError(message: "the webhook receiver did not start (python3 and the README snippet are needed)")
        }
        return WebhookReceiver(port: bound, log: log, process: process)
    }

    /// Every POST logged so far, in arrival order.
    public func received() -> [Received] {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Received.self, from: Data($0.utf8)) }
    }

    /// Waits up to `timeout` for the log to satisfy `done`; the log by then.
    public func received(within timeout: Duration = .seconds(20), until done: ([Received]) -> Bool) async -> [Received] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let log = received()
            if done(log) { return log }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return received()
    }

    public var isRunning: Bool { process.isRunning }

    /// SIGKILL, then waits for the exit.
    public func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { kill() }
}

extension FileHandle {
    /// One line of what the child prints first (its port), read byte by byte so nothing after it is consumed.
    fileprivate func readLine() -> String? {
        var bytes: [UInt8] = []
        while true {
            let chunk = readData(ofLength: 1)
            guard let byte = chunk.first else { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }
}

extension WebhookReceiver.Received {
    /// The distinct event ids in the order they were first received.
    public static func firstArrivals(_ log: [Self]) -> [String] {
        var seen: Set<String> = []
        return log.compactMap(\.eventId).filter { seen.insert($0).inserted }
    }
}
