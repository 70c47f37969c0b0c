import Foundation

/// A request waiting for a curl thread, and the continuation its caller awaits.
final class CurlJob: Sendable {
    let request: CurlRequest
    let cancellation: CancellationFlag
    private let continuation: CheckedContinuation<Result<CurlResponse, HTTPTransportError>, Never>

    init(
        request: CurlRequest, cancellation: CancellationFlag,
        continuation: CheckedContinuation<Result<CurlResponse, HTTPTransportError>, Never>
    ) {
        self.request = request
        self.cancellation = cancellation
        self.continuation = continuation
    }

    /// Called exactly once, by the thread that took the job off the queue (or by `shutdown`).
    func finish(_ result: Result<CurlResponse, HTTPTransportError>) {
        continuation.resume(returning: result)
    }
}

/// Set by a cancelled caller; read by the curl thread before and during the transfer.
final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    var isCancelled: Bool { lock.withLock { cancelled } }
    func cancel() { lock.withLock { cancelled = true } }
}

/// FIFO shared by the curl threads: callers append, idle threads block in `next()`.
final class CurlJobQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [CurlJob] = []
    private var head = 0
    private var closed = false

    /// False once closed: the caller then fails the job itself.
    func enqueue(_ job: CurlJob) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// Blocks the calling (dedicated) thread until there is work; nil once closed.
    func next() -> CurlJob? {
        condition.lock()
        defer { condition.unlock() }
        while head == jobs.count && !closed {
            condition.wait()
        }
        guard !closed else { return nil }
        let job = jobs[head]
        head += 1
        if head > 64 && head * 2 > jobs.count {
            jobs.removeFirst(head)
            head = 0
        }
        return job
    }

    /// Closes the queue, wakes every thread and hands back the jobs nobody started.
    func close() -> [CurlJob] {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return [] }
        closed = true
        let pending = Array(jobs[head...])
        jobs = []
        head = 0
        condition.broadcast()
        return pending
    }
}
