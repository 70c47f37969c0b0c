import Foundation

enum WorkerIdentity {
    /// Names this process on its leases: host, pid and a random suffix (pids repeat after restarts).
    static func make() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
