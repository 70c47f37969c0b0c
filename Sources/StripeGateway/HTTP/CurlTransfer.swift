import CCurl

/// Settings every transfer of one client shares.
struct CurlSettings: Sendable {
    var connectTimeoutMilliseconds: Int
    var totalTimeoutMilliseconds: Int
    var maxResponseBytes: Int
    var destinations = CurlDestinationRules()
}

/// What a client may connect to and how much of an answer it reads: the defaults suit a processor; a client
/// that posts to URLs others chose (pushed webhooks) checks each address, ignores proxy variables and keeps the
/// head of a long answer rather than failing on it.
public struct CurlDestinationRules: Sendable {
    /// The reason an address (4 or 16 bytes) is refused, checked on every address curl is about to connect to,
    /// so DNS cannot rebind a name past it; nil accepts.
    public var refusedAddress: (@Sendable ([UInt8]) -> String?)?
    /// `CURLOPT_PROXY ""`: `http_proxy` and its kin are not followed.
    public var ignoresProxies: Bool
    /// An answer longer than the limit is cut there and counts as answered (its status stands).
    public var cutsLongAnswers: Bool

    public init(refusedAddress: (@Sendable ([UInt8]) -> String?)? = nil, ignoresProxies: Bool = false, cutsLongAnswers: Bool = false) {
        self.refusedAddress = refusedAddress
        self.ignoresProxies = ignoresProxies
        self.cutsLongAnswers = cutsLongAnswers
    }
}

/// One pooled easy handle and its error buffer. Created, used and destroyed on the loop thread only;
/// never shared, hence not Sendable. Its connections live in the multi handle's cache, so any pooled
/// handle reuses any cached connection.
final class CurlEasyHandle {
    let handle: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        guard let handle = curl_easy_init() else { return nil }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }
}

/// One request on one easy handle, from its options to its classified result. Lives on the loop thread
/// while the easy handle is in the multi handle; its C callbacks reach `state` through an unretained
/// pointer, which this object keeps alive.
final class CurlTransfer {
    let job: CurlJob
    let easy: CurlEasyHandle
    private let state: CurlTransferState
    private let settings: CurlSettings
    private var headerList: UnsafeMutablePointer<curl_slist>?

    var isCancelled: Bool { state.isCancelled }

    /// Sets every option on `easy`; the caller then adds it to the multi handle.
    init(job: CurlJob, easy: CurlEasyHandle, settings: CurlSettings) {
        self.job = job
        self.easy = easy
        self.settings = settings
        let request = job.request
        let method = request.method.uppercased()
        let sendsBody = method != "GET" && method != "HEAD"
        state = CurlTransferState(
            body: sendsBody ? request.body : [],
            maxResponseBytes: settings.maxResponseBytes,
            cancellation: job.cancellation,
            refusedAddress: settings.destinations.refusedAddress
        )
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        // No `Expect: 100-continue` round trip for larger bodies.
        headerList = curl_slist_append(headerList, "Expect:")
        // reset drops the previous request's options; the connection and DNS caches are the multi handle's.
        curl_easy_reset(easy.handle)
        easy.errorBuffer[0] = 0
        configure(request, method: method)
    }

    deinit {
        curl_slist_free_all(headerList)
    }

    /// The answer, or the transport error that `code` (the transfer's CURLcode) means. Call once the
    /// transfer is done or aborted, before the handle goes back to the pool.
    func result(_ code: CURLcode) -> Result<CurlResponse, HTTPTransportError> {
        let cut = code == CURLE_WRITE_ERROR && state.responseTooLarge && settings.destinations.cutsLongAnswers
        guard code == CURLE_OK || cut else {
            return .failure(transportError(code, expectedUpload: state.body.count))
        }
        var status = 0
        ccurl_easy_getinfo_long(easy.handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(CurlResponse(status: status, headers: state.headers, body: state.responseBody))
    }

    private func configure(_ request: CurlRequest, method: String) {
        let handle = easy.handle
        ccurl_easy_setopt_string(handle, CURLOPT_URL, request.url)
        ccurl_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        ccurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, easy.errorBuffer)
        // Required when curl runs off the main thread: no SIGALRM for DNS time-outs.
        ccurl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        ccurl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, settings.connectTimeoutMilliseconds)
        ccurl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, settings.totalTimeoutMilliseconds)
        ccurl_easy_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        // HTTP/1.1 keeps "was the request fully sent" observable through CURLINFO_REQUEST_SIZE and
        // CURLINFO_SIZE_UPLOAD_T (what `HTTPTransportError.Kind` relies on); Stripe's own libraries
        // speak HTTP/1.1 too. (It also keeps the multi handle from multiplexing transfers on one connection.)
        ccurl_easy_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        ccurl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
        configureMethod(method)
        configureCallbacks()
        configureDestinations()
    }

    private func configureDestinations() {
        let handle = easy.handle
        if settings.destinations.ignoresProxies { ccurl_easy_setopt_string(handle, CURLOPT_PROXY, "") }
        guard settings.destinations.refusedAddress != nil else { return }
        ccurl_easy_setopt_opensocket_callback(handle) { userdata, _, address in
            guard let userdata, let address else { return ccurl_socket_bad() }
            let state = Unmanaged<CurlTransferState>.fromOpaque(userdata).takeUnretainedValue()
            return state.openSocket(address)
        }
        ccurl_easy_setopt_pointer(handle, CURLOPT_OPENSOCKETDATA, Unmanaged.passUnretained(state).toOpaque())
    }

    private func configureMethod(_ method: String) {
        let handle = easy.handle
        switch method {
        case "GET":
            ccurl_easy_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case "HEAD":
            ccurl_easy_setopt_long(handle, CURLOPT_NOBODY, 1)
        default:
            let userdata = Unmanaged.passUnretained(state).toOpaque()
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
    }

    private func configureCallbacks() {
        let handle = easy.handle
        let userdata = Unmanaged.passUnretained(state).toOpaque()
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
        // The progress callback aborts a cancelled caller's transfer while curl works on it; the loop also
        // aborts it itself when the cancel wakes it (`CurlMultiLoop.abortCancelled`).
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
    /// The same holds for a transfer the loop aborted for a cancelled caller: what curl had sent by then
    /// is what these two counters say.
    private func transportError(_ code: CURLcode, expectedUpload: Int) -> HTTPTransportError {
        var requestBytes = 0
        ccurl_easy_getinfo_long(easy.handle, CURLINFO_REQUEST_SIZE, &requestBytes)
        let detail = String(cString: easy.errorBuffer)
        var message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        if state.responseTooLarge {
            message = "response larger than \(settings.maxResponseBytes) bytes"
        }
        if let refused = state.refusedBecause, code == CURLE_COULDNT_CONNECT {
            return .notSent(code: "address_refused", message: "refused to connect to a \(refused) address")
        }
        let name = state.isCancelled ? "cancelled" : CurlErrorName.of(code)
        let bodyCutShort = expectedUpload > 0 && !state.tookWholeBody
        if requestBytes == 0 || bodyCutShort {
            return .notSent(code: name, message: message)
        }
        return .noAnswer(code: name, message: message)
    }
}
