import Foundation

/// A dedicated OS thread that alone uses one `PGConnection`, so libpq's blocking calls never run on
/// Swift's cooperative pool and a `PGconn` is only ever used by one thread.
final class ConnectionThread: @unchecked Sendable {
    /// Guarded by `condition`.
    private var jobs: [() -> Void] = []
    private var stopping = false
    private let condition = NSCondition()
    /// Touched only on the thread itself.
    private let connection: PGConnection

    init(conninfo: String, name: String) {
        connection = PGConnection(conninfo: conninfo)
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.start()
    }

    /// Runs `body` on the thread with the connection and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable (PGConnection) throws(StoreError) -> T) async throws(StoreError) -> T {
        let result: Result<T, StoreError> = await withCheckedContinuation { continuation in
            enqueue { [connection] in
                do throws(StoreError) {
                    continuation.resume(returning: .success(try body(connection)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func enqueue(_ job: @escaping () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty && stopping {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
