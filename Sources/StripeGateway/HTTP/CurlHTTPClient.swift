import CCurl
import Foundation

/// An HTTP client over libcurl that never blocks Swift's cooperative thread pool.
///
/// Design: a fixed set of dedicated Foundation `Thread`s, each owning one reused CURL easy
/// handle, take requests from a shared FIFO; an async caller enqueues its request and awaits a
/// continuation. Chosen over curl's multi interface on one thread because the blocking
/// `curl_easy_perform` keeps each transfer's code straight-line (easy to reason about what was
/// sent when it fails, which retry safety hinges on), a reused easy handle keeps its connections
/// alive, and the processor calls in flight are few and capped anyway (`threads` is that cap:
/// the worker's concurrency, a handful). C pointers never leave the thread that owns them.
public final class CurlHTTPClient: Sendable {
    private let queue = CurlJobQueue()

    /// `threads` is how many requests can be in flight at once; more wait in FIFO order.
    /// `totalTimeout` bounds a whole request (connect, send, wait, receive).
    public init(
        threads: Int = 4, connectTimeout: Duration = .seconds(10), totalTimeout: Duration = .seconds(60),
        maxResponseBytes: Int = 16 << 20
    ) {
        Self.globalInit()
        let settings = CurlSettings(
            connectTimeoutMilliseconds: connectTimeout.milliseconds,
            totalTimeoutMilliseconds: totalTimeout.milliseconds,
            maxResponseBytes: maxResponseBytes
        )
        for index in 0..<max(1, threads) {
            let thread = Thread { [queue] in
                guard let worker = CurlWorker(settings: settings) else {
                    // No easy handle (out of memory): fail this thread's share rather than leave callers waiting.
                    while let job = queue.next() {
                        job.finish(.failure(.notSent(code: "curl_init_failed", message: "curl_easy_init failed")))
                    }
                    return
                }
                worker.run(queue)
            }
            thread.name = "curl-http-\(index)"
            thread.start()
        }
    }

    deinit {
        shutdown()
    }

    /// Runs `curl_global_init` once per process. Call it at start, before any other thread uses
    /// curl; calling it again (or creating a client, which calls it) does nothing more.
    public static func globalInit() {
        _ = CurlGlobal.initResult
    }

    /// Sends one request on a curl thread. A cancelled caller gets `notSent` if the request had not
    /// left yet, `noAnswer` if it had.
    public func send(_ request: CurlRequest) async throws(HTTPTransportError) -> CurlResponse {
        let cancellation = CancellationFlag()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<CurlResponse, HTTPTransportError>, Never>) in
                let job = CurlJob(request: request, cancellation: cancellation, continuation: continuation)
                if !queue.enqueue(job) {
                    job.finish(.failure(.notSent(code: "shutdown", message: "the HTTP client is shut down")))
                }
            }
        } onCancel: {
            cancellation.cancel()
        }
        return try result.get()
    }

    /// Stops taking requests and fails those still queued with `notSent`. Requests already on the
    /// wire finish (bounded by `totalTimeout`), then the threads exit and free their handles.
    /// Does not block.
    public func shutdown() {
        for job in queue.close() {
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
