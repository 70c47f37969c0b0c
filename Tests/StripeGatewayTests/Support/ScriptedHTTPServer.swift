import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny HTTP/1.1 server on loopback whose every answer is scripted, including misbehaviour a real
/// server would not show (hang, close mid-request), so the transport's failure classes are testable.
/// Blocking sockets on its own threads; for tests only.
final class ScriptedHTTPServer: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        var target: String
        /// Lower-cased names.
        var headers: [String: String]
        var body: [UInt8]
        var connection: Int
    }

    enum Behaviour: Sendable {
        case respond(status: Int, headers: [(String, String)], body: String)
        /// Reads the whole request, then closes without a byte of answer.
        case closeAfterRequest
        /// Reads the request head only, then closes (the body, if large, is cut off).
        case closeAfterHead
        /// Reads the whole request and never answers (until the server stops).
        case hang
        /// Reads the whole request, then stops the server: this connection closes, new ones are refused.
        case stopServerAfterRequest
    }

    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var requests: [Request] = []
    private var connections: [Int32] = []
    private var stopped = false
    private var listenerClosed = false

    init(_ script: @escaping @Sendable (Request) -> Behaviour) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError("socket") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw ServerError("bind/listen") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop(script) }
        thread.start()
    }

    var received: [Request] { lock.withLock { requests } }

    /// Wakes every blocked thread with `shutdown`; each thread closes its own descriptor, so no
    /// descriptor number is touched after it was closed (and perhaps reused by another socket).
    func stop() {
        lock.withLock {
            guard !stopped else { return }
            stopped = true
            if !listenerClosed { shutdown(listener, Int32(SHUT_RDWR)) }
            for fd in connections { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    private func acceptLoop(_ script: @escaping @Sendable (Request) -> Behaviour) {
        defer {
            lock.withLock {
                listenerClosed = true
                close(listener)
            }
        }
        var connectionNumber = 0
        while true {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            connectionNumber += 1
            let number = connectionNumber
            let keep = lock.withLock { () -> Bool in
                if stopped { return false }
                connections.append(fd)
                return true
            }
            guard keep else { close(fd); return }
            let thread = Thread { [self] in serve(fd, number: number, script) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32, number: Int, _ script: @Sendable (Request) -> Behaviour) {
        defer {
            lock.withLock {
                connections.removeAll { $0 == fd }
                close(fd)
            }
        }
        var buffer: [UInt8] = []
        while let head = readHead(fd, &buffer) {
            var request = head
            request.connection = number
            let behaviour = script(request)
            if case .closeAfterHead = behaviour {
                lock.withLock { requests.append(request) }
                return
            }
            let length = Int(request.headers["content-length"] ?? "0") ?? 0
            while buffer.count < length {
                guard readMore(fd, &buffer) else { return }
            }
            request.body = Array(buffer.prefix(length))
            buffer.removeFirst(length)
            lock.withLock { requests.append(request) }
            switch behaviour {
            case .respond(let status, let headers, let body):
                var text = "HTTP/1.1 \(status) Scripted\r\nContent-Length: \(body.utf8.count)\r\n"
                for (name, value) in headers { text += "\(name): \(value)\r\n" }
                text += "\r\n" + body
                let bytes = Array(text.utf8)
                _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            case .closeAfterRequest, .closeAfterHead:
                return
            case .stopServerAfterRequest:
                stop()
                return
            case .hang:
                var sink = [UInt8](repeating: 0, count: 1)
                _ = recv(fd, &sink, 1, 0)  // returns when the client gives up or the server stops
                return
            }
        }
    }

    private func readHead(_ fd: Int32, _ buffer: inout [UInt8]) -> Request? {
        let terminator: [UInt8] = Array("\r\n\r\n".utf8)
        while true {
            if let end = buffer.firstRange(of: terminator) {
                let text = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
                buffer.removeSubrange(..<end.upperBound)
                var lines = text.components(separatedBy: "\r\n")
                let requestLine = lines.removeFirst().split(separator: " ")
                var headers: [String: String] = [:]
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                return Request(
                    method: String(requestLine.first ?? ""), target: String(requestLine.dropFirst().first ?? ""),
                    headers: headers, body: [], connection: 0
                )
            }
            guard readMore(fd, &buffer) else { return nil }
        }
    }

    private func readMore(_ fd: Int32, _ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = recv(fd, &chunk, chunk.count, 0)
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }

    struct ServerError: Error {
        var what: String
        init(_ what: String) { self.what = what }
    }
}
