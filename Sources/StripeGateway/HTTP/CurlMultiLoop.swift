import CCurl
import Foundation

/// The curl loop thread's state: one multi handle, the transfers it drives, and a small pool of idle
/// easy handles. Created, run and freed on that one thread: no C pointer here is seen by another thread,
/// except the multi handle that `CurlInbox` passes to `curl_multi_wakeup`.
///
/// Each turn takes new requests from the inbox (at most `maxConcurrent` transfers at once; more wait there
/// in FIFO order), aborts the transfers of cancelled callers, lets `curl_multi_perform` move every transfer
/// along, resumes the callers whose transfers `curl_multi_info_read` reports done, then parks in
/// `curl_multi_poll` until a socket is ready, one of curl's timers is due or the inbox wakes it.
final class CurlMultiLoop {
    private let multi: UnsafeMutableRawPointer
    private let inbox: CurlInbox
    private let settings: CurlSettings
    private let maxConcurrent: Int
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    /// Idle easy handles; never more than `maxConcurrent` exist, since each serves one transfer at a time.
    private var pool: [CurlEasyHandle] = []

    /// Nil when libcurl cannot make a multi handle (out of memory).
    init?(inbox: CurlInbox, settings: CurlSettings, maxConcurrent: Int) {
        guard let multi = curl_multi_init() else { return nil }
        self.multi = multi
        self.inbox = inbox
        self.settings = settings
        self.maxConcurrent = max(1, maxConcurrent)
        // Connections stay cached for reuse by any handle, as many as can be busy at once (curl's default
        // follows the number of handles added, which drops to zero between bursts).
        ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(4, self.maxConcurrent))
        inbox.attach(multi)
    }

    /// Turns until the inbox is closed and the last transfer on the wire is done, then frees everything.
    func run() {
        while turn() {}
        inbox.attach(nil)
        pool.removeAll()
        curl_multi_cleanup(multi)
    }

    /// One turn of the loop; false once closed and idle.
    private func turn() -> Bool {
        let intake = inbox.take(upTo: maxConcurrent - active.count)
        intake.jobs.forEach(start)
        var finished = abortCancelled()
        var running: Int32 = 0
        curl_multi_perform(multi, &running)
        finished += collectFinished()
        if intake.closed && active.isEmpty { return false }
        // A freed slot may have a request waiting in the inbox: take it before parking.
        guard finished == 0 else { return true }
        // Sockets, curl's own timers (time-outs), new requests, cancels and shutdown all end the wait sooner;
        // the second is only a bound on how long a turn can be skipped.
        if curl_multi_poll(multi, nil, 0, 1000, nil) != CURLM_OK {
            // Not expected (out of memory, say); do not spin while it lasts.
            Thread.sleep(forTimeInterval: 0.01)
        }
        return true
    }

    private func start(_ job: CurlJob) {
        guard !job.cancellation.isCancelled else {
            job.finish(.failure(.notSent(code: "cancelled", message: "cancelled before sending")))
            return
        }
        guard let easy = pool.popLast() ?? CurlEasyHandle() else {
            job.finish(.failure(.notSent(code: "curl_init_failed", message: "curl_easy_init failed")))
            return
        }
        let transfer = CurlTransfer(job: job, easy: easy, settings: settings)
        let added = curl_multi_add_handle(multi, easy.handle)
        guard added == CURLM_OK else {
            pool.append(easy)
            let reason = String(cString: curl_multi_strerror(added))
            job.finish(.failure(.notSent(code: "curl_multi_add_failed", message: reason)))
            return
        }
        active[easy.handle] = transfer
    }

    /// Ends the transfers whose callers were cancelled, as curl would after the progress callback refused
    /// to go on; the loop does it itself so a cancel takes effect when it wakes the loop, not at curl's next
    /// progress call (up to a second on a quiet connection).
    private func abortCancelled() -> Int {
        let cancelled = active.filter { $0.value.isCancelled }
        for (handle, transfer) in cancelled {
            active[handle] = nil
            complete(transfer, code: CURLE_ABORTED_BY_CALLBACK)
        }
        return cancelled.count
    }

    /// Resumes the callers of the transfers curl reports done; returns how many.
    private func collectFinished() -> Int {
        var finished = 0
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            // Read before removing the handle: the message does not outlive curl_multi_remove_handle.
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            let code = ccurl_msg_result(message)
            guard let transfer = active.removeValue(forKey: handle) else { continue }
            complete(transfer, code: code)
            finished += 1
        }
        return finished
    }

    /// Classifies the transfer, takes its handle out of the multi handle into the pool, resumes the caller.
    private func complete(_ transfer: CurlTransfer, code: CURLcode) {
        let result = transfer.result(code)
        curl_multi_remove_handle(multi, transfer.easy.handle)
        pool.append(transfer.easy)
        transfer.job.finish(result)
    }
}
