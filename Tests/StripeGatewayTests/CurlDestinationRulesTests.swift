import Foundation
import Testing
@testable import StripeGateway

/// The rules a client that posts to URLs others chose keeps (pushed webhooks): each address checked before a socket
/// is opened for it, no proxy, the head of a long answer kept.
@Suite("CurlDestinationRules: the SSRF check at connect, no proxy, long answers cut")
struct CurlDestinationRulesTests {
    @Test("a refused address gets no socket: nothing reaches the server, the error is notSent address_refused naming the range")
    func refusedAtConnect() async throws {
        let server = try ScriptedHTTPServer { _ in .respond(status: 200, headers: [], body: "ok") }
        defer { server.stop() }
        let refusing = CurlHTTPClient(destinations: CurlDestinationRules(refusedAddress: { Self.isLoopback($0) ? "loopback" : nil }))
        defer { refusing.shutdown() }
        for host in ["127.0.0.1", "localhost"] {
            do {
                _ = try await refusing.send(CurlRequest(method: "POST", url: "http://\(host):\(server.port)/hook", body: Array("{}".utf8)))
                Issue.record("\(host) was connected to")
            } catch {
                #expect(error.kind == .notSent && error.code == "address_refused" && error.message.contains("loopback"), "\(error)")
            }
        }
        #expect(server.received.isEmpty)
        // The same client accepts what its rule accepts; a client without the rule connects anywhere.
        let open = CurlHTTPClient(destinations: CurlDestinationRules(refusedAddress: { _ in nil }))
        defer { open.shutdown() }
        #expect(try await open.send(CurlRequest(method: "GET", url: "http://localhost:\(server.port)/")).status == 200)
    }

    static func isLoopback(_ address: [UInt8]) -> Bool {
        address.count == 4 ? address[0] == 127 : address == Array(repeating: 0, count: 15) + [1]
    }

    @Test("an answer past the limit is cut there and keeps its status; without the rule it fails")
    func longAnswersCut() async throws {
        let server = try ScriptedHTTPServer { _ in .respond(status: 200, headers: [], body: String(repeating: "x", count: 200_000)) }
        defer { server.stop() }
        let cutting = CurlHTTPClient(maxResponseBytes: 64 << 10, destinations: CurlDestinationRules(cutsLongAnswers: true))
        defer { cutting.shutdown() }
        let answer = try await cutting.send(CurlRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/"))
        #expect(answer.status == 200 && answer.body.count <= 64 << 10 && answer.body.count > 0)
        let strict = CurlHTTPClient(maxResponseBytes: 64 << 10)
        defer { strict.shutdown() }
        await #expect(throws: HTTPTransportError.self) { _ = try await strict.send(CurlRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/")) }
    }

    @Test("the head counts towards the limit too: a flood of headers ends the read there")
    func headersBounded() async throws {
        let headers = (0..<2_000).map { _ in ("X-Flood", String(repeating: "h", count: 60)) }
        let server = try ScriptedHTTPServer { _ in .respond(status: 200, headers: headers, body: "ok") }
        defer { server.stop() }
        let cutting = CurlHTTPClient(maxResponseBytes: 64 << 10, destinations: CurlDestinationRules(cutsLongAnswers: true))
        defer { cutting.shutdown() }
        let answer = try await cutting.send(CurlRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/"))
        #expect(answer.status == 200 && (answer.headers["x-flood"]?.utf8.count ?? 0) < 64 << 10)
    }

    @Test("proxy variables are not followed when the rule says so (they are otherwise)")
    func proxiesIgnored() async throws {
        let server = try ScriptedHTTPServer { _ in .respond(status: 204, headers: [], body: "") }
        defer { server.stop() }
        setenv("http_proxy", "http://127.0.0.1:9", 1)
        defer { unsetenv("http_proxy") }
        let direct = CurlHTTPClient(connectTimeout: .seconds(2), destinations: CurlDestinationRules(ignoresProxies: true))
        defer { direct.shutdown() }
        #expect(try await direct.send(CurlRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/")).status == 204)
        let proxied = CurlHTTPClient(connectTimeout: .seconds(2))
        defer { proxied.shutdown() }
        await #expect(throws: HTTPTransportError.self) { _ = try await proxied.send(CurlRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/")) }
    }
}
