import Foundation

/// A minimal server-sent-events client over a raw loopback socket (libcurl buffers whole responses): it
/// sends one GET, de-chunks the body and parses it into events and comments as they arrive, on its own thread.
public final class EventStreamReader: @unchecked Sendable {
    public struct Event: Sendable, Equatable {
        public var id: String?
        public var type: String?
        public var data: String

        /// `data` decoded as a JSON object (empty when it is not one).
        public var json: [String: Any] {
            ((try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any]) ?? [:]
        }
    }

    public let status: Int
    public let headers: [String: String]
    private let socket: Int32
    /// Guarded by `lock`.
    private var received: [Event] = []
    private var commentLines: [String] = []
    private var finished = false
    private let lock = NSLock()

    public var events: [Event] { lock.withLock { received } }
    public var comments: [String] { lock.withLock { commentLines } }
    public var isFinished: Bool { lock.withLock { finished } }

    private init(socket: Int32, status: Int, headers: [String: String]) {
        self.socket = socket
        self.status = status
        self.headers = headers
    }

    /// Connects to `port` on 127.0.0.1, sends `GET path`, and returns once the response head has arrived.
    public static func open(port: Int, path: String, headers: [(String, String)] = []) async throws -> EventStreamReader {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    let (fd, head, rest) = try connectAndSend(port: port, path: path, headers: headers)
                    let reader = EventStreamReader(socket: fd, status: head.status, headers: head.headers)
                    continuation.resume(returning: reader)
                    reader.readBody(startingWith: rest, chunked: head.headers["transfer-encoding"]?.lowercased() == "chunked")
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "sse-reader"
            thread.start()
        }
    }

    /// Stops reading: the connection is shut down and the reader's thread closes it.
    public func close() {
        shutdown(socket, Int32(SHUT_RDWR))
    }

    /// Polls until `condition` holds for the events received so far (true), or `timeout` passes (false).
    public func waitUntil(timeout: Duration = .seconds(5), _ condition: ([Event]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(events) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition(events)
    }

    deinit { close() }

    // MARK: - Reading

    private struct Head {
        var status: Int
        var headers: [String: String]
    }

    private static func connectAndSend(port: Int, path: String, headers: [(String, String)]) throws -> (Int32, Head, [UInt8]) {
        let fd = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Foundation.close(fd)
            throw HarnessError(message: "cannot connect to 127.0.0.1:\(port)")
        }
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        _ = Array(request.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var buffer: [UInt8] = []
        while true {
            if let end = buffer.firstRange(of: Array("\r\n\r\n".utf8)) {
                let lines = String(decoding: buffer[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
                let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
                var fields: [String: String] = [:]
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                return (fd, Head(status: status, headers: fields), Array(buffer[end.upperBound...]))
            }
            guard let more = receive(fd) else {
                Foundation.close(fd)
                throw HarnessError(message: "the connection closed before a response head")
            }
            buffer += more
        }
    }

    private static func receive(_ fd: Int32) -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return count > 0 ? Array(chunk[..<count]) : nil
    }

    private func readBody(startingWith initial: [UInt8], chunked: Bool) {
        var raw = initial
        var body: [UInt8] = []
        var text = ""
        var pending = Event(data: "")
        var hasData = false
        repeat {
            if chunked { body += Self.dechunk(&raw) } else { body += raw; raw.removeAll() }
            // Lines end with "\n"; parse every complete one.
            if let lastNewline = body.lastIndex(of: UInt8(ascii: "\n")) {
                text += String(decoding: body[...lastNewline], as: UTF8.self)
                body.removeSubrange(...lastNewline)
                var lines = text.components(separatedBy: "\n")
                text = lines.removeLast()
                for line in lines { parse(line, into: &pending, hasData: &hasData) }
            }
            guard let more = Self.receive(socket) else { break }
            raw += more
        } while true
        Foundation.close(socket)
        lock.withLock { finished = true }
    }

    private func parse(_ line: String, into pending: inout Event, hasData: inout Bool) {
        if line.isEmpty {
            if hasData { lock.withLock { received.append(pending) } }
            pending = Event(data: "")
            hasData = false
        } else if line.hasPrefix(":") {
            lock.withLock { commentLines.append(String(line.dropFirst()).trimmingCharacters(in: .whitespaces)) }
        } else {
            let name = line.prefix { $0 != ":" }
            var value = line.dropFirst(name.count + 1)
            if value.hasPrefix(" ") { value = value.dropFirst() }
            switch name {
            case "id": pending.id = String(value)
            case "event": pending.type = String(value)
            case "data":
                pending.data += (hasData ? "\n" : "") + value
                hasData = true
            default: break
            }
        }
    }

    /// Takes every complete chunk's payload out of `raw`, leaving a partial chunk in it.
    private static func dechunk(_ raw: inout [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        let crlf = Array("\r\n".utf8)
        while let lineEnd = raw.firstRange(of: crlf) {
            let sizeText = String(decoding: raw[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { break }
            let start = lineEnd.upperBound
            guard raw.count >= start + size + 2 else { break }
            out += raw[start..<start + size]
            raw.removeSubrange(..<(start + size + 2))
            if size == 0 { break }
        }
        return out
    }
}
