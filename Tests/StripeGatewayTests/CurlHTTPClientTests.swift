import Foundation
import Testing
@testable import StripeGateway

@Suite struct CurlHTTPClientTests {
    private func client(maxConcurrent: Int = 2, total: Duration = .seconds(5)) -> CurlHTTPClient {
        CurlHTTPClient(maxConcurrent: maxConcurrent, connectTimeout: .seconds(2), totalTimeout: total)
    }

    @Test func sendsMethodHeadersAndBodyAndReadsTheAnswer() async throws {
        let server = try ScriptedHTTPServer { _ in
            .respond(status: 201, headers: [("Request-Id", "req_1"), ("X-Twice", "a"), ("x-twice", "b")], body: "hello")
        }
        defer { server.stop() }
        let http = client()
        defer { http.shutdown() }

        let response = try await http.send(CurlRequest(
            method: "POST", url: "http://127.0.0.1:\(server.port)/v1/things?x=1",
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("X-Custom", "v")],
            body: Array("a=1&b=2".utf8)
        ))
        #expect(response.status == 201)
        #expect(response.body == Array("hello".utf8))
        #expect(response.headers["request-id"] == "req_1")
        #expect(response.headers["x-twice"] == "a, b")

        let request = try #require(server.received.first)
        #expect(request.method == "POST")
        #expect(request.target == "/v1/things?x=1")
        #expect(request.headers["x-custom"] == "v")
        #expect(request.headers["content-type"] == "application/x-www-form-urlencoded")
        #expect(request.headers["expect"] == nil)
        #expect(request.body == Array("a=1&b=2".utf8))
    }

    @Test func reusesTheConnectionBetweenRequests() async throws {
        let server = try ScriptedHTTPServer { _ in .respond(status: 200, headers: [], body: "ok") }
        defer { server.stop() }
        let http = client(maxConcurrent: 1)
        defer { http.shutdown() }
        for _ in 0..<3 {
            _ = try await http.send(CurlRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/"))
        }
        #expect(server.received.map(\.connection) == [1, 1, 1])
    }

    @Test func manyConcurrentRequestsAllComplete() async throws {
        let server = try ScriptedHTTPServer { request in .respond(status: 200, headers: [], body: request.target) }
        defer { server.stop() }
        let http = client(maxConcurrent: 3)
        defer { http.shutdown() }
        let bodies = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<40 {
                group.addTask {
                    let response = try await http.send(CurlRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/\(index)"))
                    return String(decoding: response.body, as: UTF8.self)
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(bodies == Set((0..<40).map { "/\($0)" }))
    }

    /// 50 requests on the wire at once (the server holds each until all 50 are in) share the client's one
    /// loop thread: callers wait on continuations, not on threads.
    @Test func fiftyConcurrentRequestsShareOneThread() async throws {
        let gate = RequestGate()
        let server = try ScriptedHTTPServer { request in
            gate.arriveAndWait()
            return .respond(status: 200, headers: [], body: request.target)
        }
        defer {
            gate.open()
            server.stop()
        }
        let http = client(maxConcurrent: 50)
        let bodies = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<50 {
                group.addTask {
                    let response = try await http.send(CurlRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/\(index)"))
                    return String(decoding: response.body, as: UTF8.self)
                }
            }
            #expect(await eventually { gate.arrived == 50 })
            #expect(ThreadNames.count(http.threadName) == 1)
            gate.open()
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(bodies == Set((0..<50).map { "/\($0)" }))
        http.shutdown()
        #expect(await eventually { ThreadNames.count(http.threadName) == 0 }, "the loop thread ends once idle and shut down")
    }

    @Test func cancellingWhileQueuedIsNotSentAndFreesNothingInFlight() async throws {
        let server = try ScriptedHTTPServer { _ in .hang }
        defer { server.stop() }
        let http = client(maxConcurrent: 1)
        defer { http.shutdown() }
        let onTheWire = Task { try await http.send(CurlRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/first")) }
        #expect(await eventually { server.received.count == 1 })
        let queued = Task { try await http.send(CurlRequest(method: "POST", url: "http://127.0.0.1:\(server.port)/second", body: [1])) }
        try await Task.sleep(for: .milliseconds(50))
        queued.cancel()
        guard case .failure(let error as HTTPTransportError) = await queued.result else { Issue.record("not cancelled"); return }
        #expect(error == .notSent(code: "cancelled", message: "cancelled before sending"))
        onTheWire.cancel()
        guard case .failure(let first as HTTPTransportError) = await onTheWire.result else { Issue.record("not cancelled"); return }
        #expect(first.kind == .noAnswer)
        #expect(server.received.map(\.target) == ["/first"])
    }

    @Test func connectionRefusedIsNotSent() async throws {
        let server = try ScriptedHTTPServer { _ in .hang }
        let port = server.port
        server.stop()
        let http = client()
        defer { http.shutdown() }
        let error = await #expect(throws: HTTPTransportError.self) {
            _ = try await http.send(CurlRequest(method: "POST", url: "http://127.0.0.1:\(port)/", body: [1, 2, 3]))
        }
        #expect(error?.kind == .notSent)
        #expect(error?.code == "couldnt_connect")
    }

    @Test func unresolvableHostIsNotSent() async throws {
        let http = client()
        defer { http.shutdown() }
        let error = await #expect(throws: HTTPTransportError.self) {
            _ = try await http.send(CurlRequest(method: "GET", url: "http://no-such-host.invalid/"))
        }
        #expect(error?.kind == .notSent)
    }

    @Test func bodyCutOffWhileSendingIsNotSent() async throws {
        let server = try ScriptedHTTPServer { _ in .closeAfterHead }
        defer { server.stop() }
        let http = client()
        defer { http.shutdown() }
        let error = await #expect(throws: HTTPTransportError.self) {
            _ = try await http.send(CurlRequest(
                method: "POST", url: "http://127.0.0.1:\(server.port)/", body: [UInt8](repeating: 0x61, count: 16 << 20)
            ))
        }
        #expect(error?.kind == .notSent)
    }

    @Test func emptyReplyAfterTheRequestIsNoAnswer() async throws {
        let server = try ScriptedHTTPServer { _ in .closeAfterRequest }
        defer { server.stop() }
        let http = client()
        defer { http.shutdown() }
        let error = await #expect(throws: HTTPTransportError.self) {
            _ = try await http.send(CurlRequest(method: "POST", url: "http://127.0.0.1:\(server.port)/", body: Array("a=1".utf8)))
        }
        #expect(error?.kind == .noAnswer)
        #expect(server.received.count == 1)
    }

    /// libcurl resends once, on a fresh connection, when a reused one closes without an answer;
    /// the body must rewind for that (and a POST always carries an idempotency key for it).
    @Test func aReusedConnectionClosedUnansweredIsResentOnce() async throws {
        let server = try ScriptedHTTPServer { request in
            request.connection == 1 && request.target == "/pay" ? .closeAfterRequest : .respond(status: 200, headers: [], body: "paid")
        }
        defer { server.stop() }
        let http = client(maxConcurrent: 1)
        defer { http.shutdown() }
        _ = try await http.send(CurlRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/warm"))
        let response = try await http.send(CurlRequest(method: "POST", url: "http://127.0.0.1:\(server.port)/pay", body: Array("a=1".utf8)))
        #expect(response.body == Array("paid".utf8))
        let pays = server.received.filter { $0.target == "/pay" }
        #expect(pays.map(\.connection) == [1, 2])
        #expect(pays.allSatisfy { $0.body == Array("a=1".utf8) })
    }

    @Test func aResentRequestThatFailsToConnectIsStillNoAnswer() async throws {
        // The first attempt reaches the server whole; curl's resend then finds no server.
        let server = try ScriptedHTTPServer { request in
            request.target == "/pay" ? .stopServerAfterRequest : .respond(status: 200, headers: [], body: "ok")
        }
        defer { server.stop() }
        let http = client(maxConcurrent: 1)
        defer { http.shutdown() }
        _ = try await http.send(CurlRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/warm"))
        let error = await #expect(throws: HTTPTransportError.self) {
            _ = try await http.send(CurlRequest(method: "POST", url: "http://127.0.0.1:\(server.port)/pay", body: Array("a=1".utf8)))
        }
        #expect(error?.kind == .noAnswer)
        #expect(server.received.filter { $0.target == "/pay" }.count == 1)
    }

    @Test func timeOutAfterSendingIsNoAnswer() async throws {
        let server = try ScriptedHTTPServer { _ in .hang }
        defer { server.stop() }
        let http = client(total: .milliseconds(300))
        defer { http.shutdown() }
        let error = await #expect(throws: HTTPTransportError.self) {
            _ = try await http.send(CurlRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/"))
        }
        #expect(error?.kind == .noAnswer)
        #expect(error?.code == "operation_timedout")
    }

    @Test func cancellingAfterSendingIsNoAnswer() async throws {
        let server = try ScriptedHTTPServer { _ in .hang }
        defer { server.stop() }
        let http = client()
        defer { http.shutdown() }
        let task = Task {
            try await http.send(CurlRequest(method: "POST", url: "http://127.0.0.1:\(server.port)/", body: [1]))
        }
        while server.received.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        let result = await task.result
        guard case .failure(let error as HTTPTransportError) = result else { Issue.record("got \(result)"); return }
        #expect(error.kind == .noAnswer)
        #expect(error.code == "cancelled")
    }

    @Test func afterShutdownNothingIsSent() async throws {
        let http = client()
        http.shutdown()
        let error = await #expect(throws: HTTPTransportError.self) {
            _ = try await http.send(CurlRequest(method: "GET", url: "http://127.0.0.1:1/"))
        }
        #expect(error == .notSent(code: "shutdown", message: "the HTTP client is shut down"))
    }

    @Test func globalInitIsIdempotent() {
        CurlHTTPClient.globalInit()
        CurlHTTPClient.globalInit()
        #expect(CurlGlobal.initResult == 0)
    }
}

/// Holds every request the scripted server reads until the test opens it.
final class RequestGate: @unchecked Sendable {
    private let condition = NSCondition()
    private var count = 0
    private var isOpen = false

    var arrived: Int { condition.withLock { count } }

    func arriveAndWait() {
        condition.lock()
        defer { condition.unlock() }
        count += 1
        while !isOpen { condition.wait() }
    }

    func open() {
        condition.withLock { isOpen = true }
        condition.broadcast()
    }
}

/// The process's threads by name (`/proc/self/task/*/comm`, Linux).
enum ThreadNames {
    static func count(_ name: String) -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.filter { task in
            let comm = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)
            return comm?.trimmingCharacters(in: .whitespacesAndNewlines) == name
        }.count
    }
}
