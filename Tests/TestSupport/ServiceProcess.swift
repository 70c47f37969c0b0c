import Foundation
import StripeGateway

/// The real `payment-service` binary, started as a child process for end-to-end tests.
public final class ServiceProcess: @unchecked Sendable {
    public let port: Int
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    private let process: Process
    public let logFile: URL

    /// The built binaries: `.build/debug/` beside this package (`make test` builds them first).
    /// `PAYMENT_SERVICE_BINARY` points the tests at another build of `payment-service` (to measure an older one).
    public static func binary(_ name: String) -> URL {
        if name == "payment-service", let path = ProcessInfo.processInfo.environment["PAYMENT_SERVICE_BINARY"] {
            return URL(fileURLWithPath: path)
        }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent(".build/debug/\(name)")
    }

    /// Starts the service and waits until `/health/ready` answers 200. Without a `port`, a free one is picked,
    /// and another if a concurrent test took it between the pick and the bind.
    public static func start(environment: [String: String], port: Int? = nil) async throws -> ServiceProcess {
        var attempt = 0
        while true {
            let service = try ServiceProcess(environment: environment, port: port ?? freePort())
            do {
                try await service.waitUntilReady()
                return service
            } catch {
                attempt += 1
                guard port == nil, attempt < 5, service.log().contains("Address already in use") else { throw error }
            }
        }
    }

    private init(environment: [String: String], port: Int) throws {
        self.port = port
        process = Process()
        process.executableURL = Self.binary("payment-service")
        var env = ProcessInfo.processInfo.environment
        env["LOG_FORMAT"] = "text"
        env["HOST"] = "127.0.0.1"
        env["PORT"] = String(port)
        for (key, value) in environment { env[key] = value }
        process.environment = env
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("payment-service-\(port)-\(UUID().uuidString.prefix(6)).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    public func waitUntilReady(timeout: Duration = .seconds(60)) async throws {
        let client = APIClient(baseURL: baseURL, http: CurlHTTPClient(maxConcurrent: 1, connectTimeout: .seconds(1), totalTimeout: .seconds(2)))
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw HarnessError(message: "payment-service exited (\(process.terminationStatus)): \(log())") }
            // Ready, and it is our child that answers: its own log says it listens (another test's service
            // may hold the port if ours could not bind it).
            if let answer = try? await client.get("/health/ready"), answer.status == 200,
                (try? String(contentsOf: logFile, encoding: .utf8))?.contains("listening") == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError(message: "payment-service not ready in time: \(log())")
    }

    /// SIGKILL: the crash case, nothing gets to clean up.
    public func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM and wait; returns the exit status.
    @discardableResult
    public func terminate() -> Int32 {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        return process.terminationStatus
    }

    public func log() -> String {
        (try? String(contentsOf: logFile, encoding: .utf8)).map { String($0.suffix(4000)) } ?? ""
    }

    deinit {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }
}

/// A loopback port for a service under test: below the kernel's ephemeral range (so no client socket or
/// port-0 listener of a concurrent test is handed it), different for every call in this process, and
/// checked to be free right now.
public func freePort() -> Int {
    while true {
        let candidate = PortAllocator.next()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(candidate).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if bound == 0 { return candidate }
    }
}

private enum PortAllocator {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var last = 20_000 + Int(getpid() % 400) * 30

    static func next() -> Int {
        lock.withLock {
            last = last >= 32_000 ? 20_000 : last + 1
            return last
        }
    }
}
