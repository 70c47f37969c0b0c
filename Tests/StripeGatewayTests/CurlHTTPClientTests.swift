import Testing
@testable import StripeGateway

@Suite struct CurlHTTPClientTests {
    private func client(threads: Int = 2, total: Duration = .seconds(5)) -> CurlHTTPClient {
        CurlHTTPClient(threads: threads, connectTimeout: .seconds(2), totalTimeout: total)
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
        let http = client(threads: 1)
        defer { http.shutdown() }
        for _ in 0..<3 {
            _ = try await http.send(CurlRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/"))
        }
        #expect(server.received.map(\.connection) == [1, 1, 1])
    }

    @Test func manyConcurrentRequestsAllComplete() async throws {
        let server = try ScriptedHTTPServer { request in .respond(status: 200, headers: [], body: request.target) }
        defer { server.stop() }
        let http = client(threads: 3)
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
        let http = client(threads: 1)
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
        let http = client(threads: 1)
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
