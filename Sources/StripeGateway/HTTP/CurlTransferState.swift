import CCurl

/// What one transfer's C callbacks read and write. Lives on the curl loop thread for one transfer
/// (`CurlTransfer` keeps it alive); the callbacks reach it through an unretained pointer.
final class CurlTransferState {
    let body: [UInt8]
    private(set) var uploadOffset = 0
    private(set) var responseBody: [UInt8] = []
    private(set) var headers: [String: String] = [:]
    private(set) var responseTooLarge = false
    private var headerBytes = 0
    /// curl has taken the last body byte, in this attempt or an earlier one.
    private(set) var tookWholeBody = false
    /// Why an address curl tried was refused (the last such), for the error of a transfer that could not connect.
    private(set) var refusedBecause: String?
    private let maxResponseBytes: Int
    private let cancellation: CancellationFlag
    private let refusedAddress: (@Sendable ([UInt8]) -> String?)?

    init(body: [UInt8], maxResponseBytes: Int, cancellation: CancellationFlag, refusedAddress: (@Sendable ([UInt8]) -> String?)? = nil) {
        self.body = body
        self.maxResponseBytes = maxResponseBytes
        self.cancellation = cancellation
        self.refusedAddress = refusedAddress
    }

    /// CURLOPT_OPENSOCKETFUNCTION: a socket for an address the rules accept; CURL_SOCKET_BAD makes curl try the
    /// name's next address, and fail with "could not connect" when none is left.
    func openSocket(_ address: UnsafeMutablePointer<curl_sockaddr>) -> curl_socket_t {
        var bytes = [UInt8](repeating: 0, count: 16)
        let count = Int(ccurl_sockaddr_ip(address, &bytes))
        if let refusedAddress, let reason = refusedAddress(Array(bytes.prefix(count))) {
            refusedBecause = reason
            return ccurl_socket_bad()
        }
        return ccurl_socket_open(address)
    }

    var isCancelled: Bool { cancellation.isCancelled }

    /// CURLOPT_READFUNCTION: hands curl the next slice of the body.
    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let count = min(capacity, body.count - uploadOffset)
        guard count > 0 else { return 0 }
        body.withUnsafeBytes { bytes in
            UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + uploadOffset, byteCount: count)
        }
        uploadOffset += count
        if uploadOffset == body.count { tookWholeBody = true }
        return count
    }

    /// CURLOPT_SEEKFUNCTION: curl rewinds the body to resend it on a fresh connection.
    func seek(to offset: Int, origin: Int32) -> Int32 {
        guard origin == SEEK_SET, (0...body.count).contains(offset) else { return CURL_SEEKFUNC_CANTSEEK }
        uploadOffset = offset
        return CURL_SEEKFUNC_OK
    }

    /// CURLOPT_WRITEFUNCTION: returning less than `count` makes curl fail with CURLE_WRITE_ERROR.
    func write(_ buffer: UnsafeMutablePointer<CChar>, count: Int) -> Int {
        guard responseBody.count + count <= maxResponseBytes else {
            responseTooLarge = true
            return 0
        }
        responseBody.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: count))
        return count
    }

    /// CURLOPT_HEADERFUNCTION: one header line at a time, status lines included. A new status line
    /// (after a 100 Continue, say) starts a fresh header set.
    func header(_ buffer: UnsafeMutablePointer<CChar>, count: Int) -> Int {
        // The head counts towards the same limit as the body: a hostile answer cannot grow it without bound.
        headerBytes += count
        guard headerBytes <= maxResponseBytes else {
            responseTooLarge = true
            return 0
        }
        let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: count), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            headers = [:]
            return count
        }
        guard let colon = line.firstIndex(of: ":") else { return count }
        let name = line[..<colon].trimmingWhitespace().lowercased()
        let value = String(line[line.index(after: colon)...].trimmingWhitespace())
        guard !name.isEmpty else { return count }
        if let existing = headers[name] {
            headers[name] = existing + ", " + value
        } else {
            headers[name] = value
        }
        return count
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        guard let start = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let end = lastIndex(where: { !$0.isWhitespace })!
        return self[start...end]
    }
}
