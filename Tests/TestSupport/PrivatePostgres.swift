import Foundation

/// A PostgreSQL cluster of a test's own (`Sandbox/scripts/postgres.sh` on a free port, data in a fresh
/// folder under /tmp), for tests that stop and start the database: the shared test server is never touched.
public final class PrivatePostgres: Sendable {
    public let port: Int
    public let directory: String
    /// The `payments` database on it.
    public var url: String { "postgresql://postgres@127.0.0.1:\(port)/payments" }

    public static func start() async throws -> PrivatePostgres {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("payment-pg-\(UUID().uuidString.prefix(8).lowercased())").path
        let postgres = PrivatePostgres(port: freePort(), directory: directory)
        try await postgres.start()
        return postgres
    }

    private init(port: Int, directory: String) {
        self.port = port
        self.directory = directory
    }

    public func stop() async throws { try await offThePool { try self.run("stop") } }
    public func start() async throws { try await offThePool { try self.run("start") } }

    /// Stops the cluster and deletes its folder.
    public func destroy() {
        try? run("stop")
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `postgres.sh <action>` and waits for it. posix_spawn and waitpid, not Foundation's `Process`: the
    /// script leaves a daemon behind, which must inherit none of this process's descriptors, and the wait is
    /// for the script alone.
    private func run(_ action: String) throws {
        var script = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { script.deleteLastPathComponent() }
        let path = script.appendingPathComponent("Sandbox/scripts/postgres.sh").path
        var environment = ProcessInfo.processInfo.environment
        environment["PG_PORT"] = String(port)
        environment["PG_DIR"] = directory
        // bash closes every descriptor above 2 first, then becomes the script.
        let closeAll = #"for f in /proc/$$/fd/*; do n=${f##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-" 2>/dev/null; done; exec "$0" "$@""#
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/bash"), strdup("-c"), strdup(closeAll), strdup(path), strdup(action), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/bash", &actions, nil, argv, envp)
        guard spawned == 0 else { throw HarnessError(message: "cannot run postgres.sh: errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        guard status == 0 else {
            throw HarnessError(message: "postgres.sh \(action) failed (status \(status)) for \(directory)")
        }
    }
}

/// Runs a blocking call (waiting for a child process) on a thread of its own, so it never holds one of the
/// few threads of Swift's cooperative pool that the in-process sandbox and the test's clients need.
public func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
