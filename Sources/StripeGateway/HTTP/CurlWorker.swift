import CCurl

/// Settings every transfer of one client shares.
struct CurlSettings: Sendable {
    var connectTimeoutMilliseconds: Int
    var totalTimeoutMilliseconds: Int
    var maxResponseBytes: Int
}

/// One dedicated thread's curl state: a reused easy handle (so its connection cache keeps
/// connections alive between requests) and its error buffer. Created, used and destroyed on
/// that thread only; never shared, hence not Sendable.
final class CurlWorker {
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let settings: CurlSettings

    init?(settings: CurlSettings) {
        guard let handle = curl_easy_init() else { return nil }
        self.handle = handle
        self.settings = settings
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Takes jobs until the queue closes.
    func run(_ queue: CurlJobQueue) {
        while let job = queue.next() {
            if job.cancellation.isCancelled {
                job.finish(.failure(.notSent(code: "cancelled", message: "cancelled before sending")))
                continue
            }
            job.finish(perform(job.request, cancellation: job.cancellation))
        }
    }

    private func perform(_ request: CurlRequest, cancellation: CancellationFlag) -> Result<CurlResponse, HTTPTransportError> {
        // reset drops the previous request's options but keeps the connection and DNS caches.
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        let method = request.method.uppercased()
        let sendsBody = method != "GET" && method != "HEAD"
        let state = CurlTransferState(
            body: sendsBody ? request.body : [],
            maxResponseBytes: settings.maxResponseBytes,
            cancellation: cancellation
        )
        var headerList: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        // No `Expect: 100-continue` round trip for larger bodies.
        headerList = curl_slist_append(headerList, "Expect:")
        defer { curl_slist_free_all(headerList) }

        let code: CURLcode = withExtendedLifetime(state) {
            configure(request, method: method, sendsBody: sendsBody, headers: headerList, state: state)
            return curl_easy_perform(handle)
        }
        guard code == CURLE_OK else {
            return .failure(transportError(code, expectedUpload: state.body.count, state: state))
        }
        var status = 0
        ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(CurlResponse(status: status, headers: state.headers, body: state.responseBody))
    }

    private func configure(
        _ request: CurlRequest, method: String, sendsBody: Bool, headers: UnsafeMutablePointer<curl_slist>?,
        state: CurlTransferState
    ) {
        let userdata = Unmanaged.passUnretained(state).toOpaque()
        ccurl_easy_setopt_string(handle, CURLOPT_URL, request.url)
        ccurl_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        ccurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        // Required when several threads use curl: no SIGALRM for DNS time-outs.
        ccurl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        ccurl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, settings.connectTimeoutMilliseconds)
        ccurl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, settings.totalTimeoutMilliseconds)
        ccurl_easy_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        // HTTP/1.1 keeps "was the request fully sent" observable through CURLINFO_REQUEST_SIZE and
        // CURLINFO_SIZE_UPLOAD_T (what `HTTPTransportError.Kind` relies on); Stripe's own libraries
        // speak HTTP/1.1 too.
        ccurl_easy_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        ccurl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headers)

        switch method {
        case "GET":
            ccurl_easy_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case "HEAD":
            ccurl_easy_setopt_long(handle, CURLOPT_NOBODY, 1)
        default:
            ccurl_easy_setopt_long(handle, CURLOPT_POST, 1)
            ccurl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(state.body.count))
            ccurl_easy_setopt_read_callback(handle) { buffer, size, count, userdata in
                guard let buffer, let userdata else { return ccurl_readfunc_abort() }
                let state = Unmanaged<CurlTransferState>.fromOpaque(userdata).takeUnretainedValue()
                return state.read(into: buffer, capacity: size * count)
            }
            ccurl_easy_setopt_pointer(handle, CURLOPT_READDATA, userdata)
            ccurl_easy_setopt_seek_callback(handle) { userdata, offset, origin in
                guard let userdata else { return CURL_SEEKFUNC_FAIL }
                let state = Unmanaged<CurlTransferState>.fromOpaque(userdata).takeUnretainedValue()
                return state.seek(to: Int(offset), origin: origin)
            }
            ccurl_easy_setopt_pointer(handle, CURLOPT_SEEKDATA, userdata)
            if method != "POST" {
                ccurl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)
            }
        }

        ccurl_easy_setopt_write_callback(handle) { buffer, size, count, userdata in
            guard let buffer, let userdata else { return 0 }
            let state = Unmanaged<CurlTransferState>.fromOpaque(userdata).takeUnretainedValue()
            return state.write(buffer, count: size * count)
        }
        ccurl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, userdata)
        ccurl_easy_setopt_header_callback(handle) { buffer, size, count, userdata in
            guard let buffer, let userdata else { return 0 }
            let state = Unmanaged<CurlTransferState>.fromOpaque(userdata).takeUnretainedValue()
            return state.header(buffer, count: size * count)
        }
        ccurl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, userdata)
        // The progress callback is how a cancelled caller aborts a transfer in flight.
        ccurl_easy_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
        ccurl_easy_setopt_xferinfo_callback(handle) { userdata, _, _, _, _ in
            guard let userdata else { return 0 }
            let state = Unmanaged<CurlTransferState>.fromOpaque(userdata).takeUnretainedValue()
            return state.isCancelled ? 1 : 0
        }
        ccurl_easy_setopt_pointer(handle, CURLOPT_XFERINFODATA, userdata)
    }

    /// Decides `notSent` versus `noAnswer`; `notSent` only when the server cannot have acted:
    /// - no request byte reached a socket in any attempt (CURLINFO_REQUEST_SIZE sums curl's attempts;
    ///   0 after resolve, connect and TLS failures), or
    /// - curl never even took the whole body from us, so no attempt can have sent it in full, and a
    ///   server does not act on a request whose body it has not received.
    /// Whether the last slice taken was written is not knowable across attempts (curl resends on a
    /// fresh connection when a reused one dies unanswered, and CURLINFO_SIZE_UPLOAD_T then counts
    /// only the resend), so a body taken whole counts as sent: the safe side. Everything else: `noAnswer`.
    private func transportError(_ code: CURLcode, expectedUpload: Int, state: CurlTransferState) -> HTTPTransportError {
        var requestBytes = 0
        ccurl_easy_getinfo_long(handle, CURLINFO_REQUEST_SIZE, &requestBytes)
        let detail = String(cString: errorBuffer)
        var message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        if state.responseTooLarge {
            message = "response larger than \(settings.maxResponseBytes) bytes"
        }
        let name = state.isCancelled ? "cancelled" : CurlErrorName.of(code)
        let bodyCutShort = expectedUpload > 0 && !state.tookWholeBody
        if requestBytes == 0 || bodyCutShort {
            return .notSent(code: name, message: message)
        }
        return .noAnswer(code: name, message: message)
    }
}
