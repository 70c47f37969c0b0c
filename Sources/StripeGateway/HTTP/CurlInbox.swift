import CCurl
import Foundation

/// A request waiting for the curl loop, and the continuation its caller awaits.
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

    /// Called exactly once: by the loop thread that took the job from the inbox, or by whoever took it
    /// back out unstarted (`shutdown`, a cancelled caller).
    func finish(_ result: Result<CurlResponse, HTTPTransportError>) {
        continuation.resume(returning: result)
    }
}

/// Set by a cancelled caller; read by the loop thread before and during the transfer.
final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    var isCancelled: Bool { lock.withLock { cancelled } }
    func cancel() { lock.withLock { cancelled = true } }
}

/// Where callers hand requests to the curl loop thread: a lock-protected FIFO plus
/// `curl_multi_wakeup`, so a loop parked in `curl_multi_poll` looks at once.
///
/// The multi handle is the one C pointer another thread touches, and only for `curl_multi_wakeup`,
/// which libcurl documents as callable from any thread. The loop attaches it once created and detaches
/// it (under the same lock) before `curl_multi_cleanup`, so no wakeup can reach a freed handle.
final class CurlInbox: @unchecked Sendable {
    private let lock = NSLock()
    private var jobs: [CurlJob] = []
    private var head = 0
    private var closed = false
    private var multi: UnsafeMutableRawPointer?

    /// False once closed: the caller then fails the job itself.
    func enqueue(_ job: CurlJob) -> Bool {
        lock.withLock {
            guard !closed else { return false }
            jobs.append(job)
            wakeLocked()
            return true
        }
    }

    /// Up to `limit` jobs in arrival order, and whether the inbox is closed (then it stays empty).
    func take(upTo limit: Int) -> (jobs: [CurlJob], closed: Bool) {
        lock.withLock {
            let count = max(0, min(limit, jobs.count - head))
            let taken = Array(jobs[head..<(head + count)])
            head += count
            if head > 64 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            return (taken, closed)
        }
    }

    /// A caller was cancelled: hands back its job when it is still waiting here (the caller fails it as not
    /// sent), else wakes the loop so it aborts the transfer without waiting for curl's next progress call.
    func cancelled(_ flag: CancellationFlag) -> CurlJob? {
        lock.withLock {
            if let index = jobs[head...].firstIndex(where: { $0.cancellation === flag }) {
                return jobs.remove(at: index)
            }
            wakeLocked()
            return nil
        }
    }

    /// Closes the inbox, wakes the loop and hands back the jobs it never took.
    func close() -> [CurlJob] {
        lock.withLock {
            guard !closed else { return [] }
            closed = true
            let pending = Array(jobs[head...])
            jobs = []
            head = 0
            wakeLocked()
            return pending
        }
    }

    /// The loop thread's multi handle from now on (nil: it is about to be freed).
    func attach(_ handle: UnsafeMutableRawPointer?) {
        lock.withLock { multi = handle }
    }

    private func wakeLocked() {
        if let multi { curl_multi_wakeup(multi) }
    }
}
