import CCurl
import Foundation
import Synchronization

/// An HTTP client over libcurl that never blocks Swift's cooperative thread pool and holds no thread per
/// request.
///
/// Design: one dedicated thread runs one curl multi handle (`CurlMultiLoop`); an async caller puts its
/// request in a lock-protected inbox, wakes the loop with `curl_multi_wakeup` and awaits a continuation,
/// which the loop resumes when the transfer is done. Up to `maxConcurrent` transfers are on the wire at
/// once, more wait in the inbox in FIFO order. Easy handles are pooled and the multi handle caches the
/// connections, so they stay alive between requests. Each transfer keeps curl's per-transfer options and
/// the `notSent`/`noAnswer` reading of what was sent (`CurlTransfer`), which retry safety hinges on.
/// C pointers never leave the loop thread (but for `curl_multi_wakeup`, see `CurlInbox`).
public final class CurlHTTPClient: Sendable {
    private let inbox = CurlInbox()
    /// The loop thread's name (at most 15 bytes, Linux's limit), distinct per client: tests find it in
    /// `/proc/self/task`.
    let threadName: String

    private static let clientCount = Mutex(0)

    /// `maxConcurrent` is how many requests can be in flight at once; more wait in FIFO order.
    /// `totalTimeout` bounds a whole request (connect, send, wait, receive).
    /// `destinations`: what it may connect to and how it treats long answers (the defaults suit a processor).
    public init(
        maxConcurrent: Int = 4, connectTimeout: Duration = .seconds(10), totalTimeout: Duration = .seconds(60),
        maxResponseBytes: Int = 16 << 20, destinations: CurlDestinationRules = CurlDestinationRules()
    ) {
        Self.globalInit()
        let settings = CurlSettings(
            connectTimeoutMilliseconds: connectTimeout.milliseconds,
            totalTimeoutMilliseconds: totalTimeout.milliseconds,
            maxResponseBytes: maxResponseBytes,
            destinations: destinations
        )
        let number = Self.clientCount.withLock { count in
            count += 1
            return count
        }
        threadName = "curl-multi-\(number % 10_000)"
        let thread = Thread { [inbox, threadName] in
            Self.nameCurrentThread(threadName)
            guard let loop = CurlMultiLoop(inbox: inbox, settings: settings, maxConcurrent: maxConcurrent) else {
                // No multi handle (out of memory): fail every request rather than leave callers waiting.
                for job in inbox.close() {
                    job.finish(.failure(.notSent(code: "curl_init_failed", message: "curl_multi_init failed")))
                }
                return
            }
            loop.run()
        }
        thread.name = threadName
        thread.start()
    }

    deinit {
        shutdown()
    }

    /// Names the OS thread, as `/proc` and debuggers show it (Foundation's `Thread.name` does not reach it on
    /// Linux, and `pthread_setname_np` is not imported).
    private static func nameCurrentThread(_ name: String) {
        #if os(Linux)
        guard let file = fopen("/proc/thread-self/comm", "w") else { return }
        fputs(name, file)
        fclose(file)
        #endif
    }

    /// Runs `curl_global_init` once per process. Call it at start, before any other thread uses
    /// curl; calling it again (or creating a client, which calls it) does nothing more.
    public static func globalInit() {
        _ = CurlGlobal.initResult
    }

    /// Sends one request through the loop thread. A cancelled caller gets `notSent` if the request had not
    /// left yet, `noAnswer` if it had; the cancel wakes the loop, which aborts the transfer at once.
    public func send(_ request: CurlRequest) async throws(HTTPTransportError) -> CurlResponse {
        let cancellation = CancellationFlag()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<CurlResponse, HTTPTransportError>, Never>) in
                let job = CurlJob(request: request, cancellation: cancellation, continuation: continuation)
                if !inbox.enqueue(job) {
                    job.finish(.failure(.notSent(code: "shutdown", message: "the HTTP client is shut down")))
                }
            }
        } onCancel: { [inbox] in
            cancellation.cancel()
            inbox.cancelled(cancellation)?.finish(.failure(.notSent(code: "cancelled", message: "cancelled before sending")))
        }
        return try result.get()
    }

    /// Stops taking requests and fails those still queued with `notSent`. Requests already on the
    /// wire finish (bounded by `totalTimeout`), then the loop thread frees its handles and exits.
    /// Does not block.
    public func shutdown() {
        for job in inbox.close() {
            job.finish(.failure(.notSent(code: "shutdown", message: "the HTTP client shut down before sending")))
        }
    }
}

extension Duration {
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
