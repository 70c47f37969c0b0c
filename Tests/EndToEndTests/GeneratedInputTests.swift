import Foundation
import Support
import Testing
import TestSupport

/// Generated input: 5,000 requests per run across every endpoint, mostly broken in seeded-random ways
/// (`FUZZ_SEED` repeats a run; the seed is printed). No answer may be a 5xx, every error is problem+json,
/// the process stays up, and the only rows written are those of requests the service accepted.
@Suite("Generated input, end to end")
struct GeneratedInputTests {
    static let requests = 5_000
    /// Whatever the seed, each hostile class is this many of the requests.
    static let perHostileClass = 120
    /// Valid commands sent among the rest: each must be committed (201) whatever shares its group commit.
    static let sentinels = 200

    @Test("5,000 generated requests: no 5xx, alive, nothing written for rejected requests")
    func generated() async throws {
        let seed = ProcessInfo.processInfo.environment["FUZZ_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
        print("GeneratedInputTests seed: FUZZ_SEED=\(seed)")
        try await Stack.withService { stack, service in
            var generator = RequestGenerator(seed: seed)
            var made = HostileClass.allCases.flatMap { kind in (0..<Self.perHostileClass).map { _ in generator.hostile(kind) } }
            made += (0..<Self.sentinels).map { _ in generator.sentinel() }
            made += (made.count..<Self.requests).map { _ in generator.next() }
            made.shuffle(using: &generator.random)
            let requests = made
            let clients = [stack.client(service), stack.client(service, token: nil), stack.client(service, token: "not-a-token")]
            let results = try await withThrowingTaskGroup(of: [Outcome].self) { group in
                let lanes = 8
                for lane in 0..<lanes {
                    group.addTask {
                        var outcomes: [Outcome] = []
                        for index in stride(from: lane, to: requests.count, by: lanes) {
                            let request = requests[index]
                            let answer = try await clients[request.client].send(request.method, request.path, body: request.body, headers: request.headers)
                            outcomes.append(Outcome(request: request, answer: answer))
                        }
                        return outcomes
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(results.count == Self.requests)
            var accepted: Set<String> = []
            var statuses: [Int: Int] = [:]
            for outcome in results {
                let answer = outcome.answer
                statuses[answer.status, default: 0] += 1
                #expect(answer.status < 500, "seed \(seed): \(outcome.request.summary) → \(answer.status) \(answer.text.prefix(300))")
                // Bytes the HTTP parser refuses (a DEL in a header) get its bare 400 and a closed connection.
                let parserRefusal = answer.status == 400 && answer.headers["content-length"] == "0" && answer.headers["connection"] == "close"
                if parserRefusal { statuses[0, default: 0] += 1 }
                if answer.status >= 400, answer.status != 402, !parserRefusal {
                    #expect(answer.headers["content-type"] == "application/problem+json", "seed \(seed): \(outcome.request.summary) → \(answer.status)")
                }
                if outcome.request.path == "/payments/authorize", [200, 201, 402].contains(answer.status), let id = answer.string("paymentId") {
                    accepted.insert(id)
                }
            }
            print("GeneratedInputTests statuses: \(statuses.sorted { $0.key < $1.key })")
            let sentinelAnswers = results.filter { $0.request.isSentinel }
            #expect(sentinelAnswers.count == Self.sentinels)
            for outcome in sentinelAnswers {
                #expect(outcome.answer.status == 201, "seed \(seed): a valid command among hostile ones → \(outcome.answer.status) \(outcome.answer.text.prefix(200))")
            }
            for kind in HostileClass.allCases {
                let answered = results.filter { $0.request.hostile == kind }
                #expect(answered.count == Self.perHostileClass)
                print("GeneratedInputTests hostile \(kind): \(Dictionary(grouping: answered, by: \.answer.status).mapValues(\.count).sorted { $0.key < $1.key })")
            }
            #expect(statuses.keys.filter { $0 >= 400 }.count >= 5, "the generator hardly reaches the error paths")
            #expect(try await stack.client(service, token: nil).get("/health/live").status == 200)
            #expect(try await stack.client(service, token: nil).get("/health/ready").status == 200)
            #expect(try await stack.database.scalar("SELECT count(*) FROM payments") == String(accepted.count), "seed \(seed)")
            #expect(try await stack.database.scalar("SELECT count(*) FROM operations WHERE kind NOT IN ('authorize', 'sync')") == "0")
            #expect(try await stack.database.scalar("SELECT count(*) FROM refunds") == "0")
            #expect(try await stack.database.scalar("SELECT count(*) FROM webhook_events") == "0")
            #expect(!service.log().contains("unhandled error"))
        }
    }

    struct Outcome: Sendable {
        var request: GeneratedRequest
        var answer: APIClient.Answer
    }
}

struct GeneratedRequest: Sendable {
    var client: Int
    var method: String
    var path: String
    var headers: [(String, String)]
    var body: [UInt8]?
    var hostile: HostileClass? = nil
    var isSentinel = false

    var summary: String {
        "\(method) \(path.prefix(120)) \(headers.map { "\($0.0): \($0.1.prefix(40))" }) \(String(decoding: (body ?? []).prefix(200), as: UTF8.self))"
    }
}

/// Builds requests: a valid shape first, then broken in one to three ways.
struct RequestGenerator {
    var random: SeededGenerator

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }
    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &random)] }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }

    mutating func next() -> GeneratedRequest {
        let client = chance(0.85) ? 0 : int(1...2)
        var headers: [(String, String)] = []
        if chance(0.2) { headers.append(("Prefer", pick(["wait=0", "wait=0.05", "wait=abc", "wait=-1", "wait", "wait=NaN", "respond-async", "wait=0.1,wait=99"]))) }
        if chance(0.2) { headers.append(("Idempotency-Key", text(maxLength: pick([8, 255, 300])))) }
        if chance(0.1) { headers.append(("X-Request-Id", text(maxLength: 200))) }
        switch int(0...13) {
        case 0...4:
            return GeneratedRequest(client: client, method: pick(["POST", "POST", "POST", "GET", "PUT"]), path: "/payments/authorize",
                                    headers: headers + contentType(), body: authorizeBody())
        case 5: return GeneratedRequest(client: client, method: "GET", path: "/payments/\(id())", headers: headers, body: nil)
        case 6: return GeneratedRequest(client: client, method: "GET", path: "/payments?cartId=\(id())", headers: headers, body: nil)
        case 7, 8:
            let action = pick(["capture", "void", "refunds"])
            return GeneratedRequest(client: client, method: "POST", path: "/payments/\(id())/\(action)", headers: headers + contentType(), body: smallBody())
        case 9: return GeneratedRequest(client: client, method: "GET", path: "/refunds/\(id())", headers: headers, body: nil)
        case 10:
            var query = "?limit=" + pick(["0", "-1", "1001", "x", "99999999999999999999", "5"])
            if chance(0.5) { query += "&after=" + pick(["0-0", "garbage", "1-", "-1-1", "18446744073709551616-1"]) }
            if chance(0.3) {
                // Only broken stream requests: a valid one stays open by design.
                return GeneratedRequest(client: client, method: "GET", path: "/events/stream?after=bad\(int(0...9))", headers: headers, body: nil)
            }
            return GeneratedRequest(client: client, method: "GET", path: "/events" + query, headers: headers, body: nil)
        case 11:
            var webhookHeaders = headers + contentType()
            if chance(0.7) { webhookHeaders.append(("Stripe-Signature", pick(["t=1,v1=00", "garbage", "t=\(int(0...2_000_000_000)),v1=\(text(maxLength: 64))", ""]))) }
            return GeneratedRequest(client: client, method: "POST", path: "/webhooks/stripe", headers: webhookHeaders, body: mutate(Array(#"{"id":"evt_1","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1"}}}"#.utf8)))
        case 12:
            return GeneratedRequest(client: client, method: "GET", path: pick(["/health/live", "/health/ready", "/metrics", "/openapi.json"]), headers: headers, body: nil)
        default:
            return GeneratedRequest(client: client, method: pick(["GET", "POST", "DELETE", "PATCH", "OPTIONS"]), path: "/" + text(maxLength: 60).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!, headers: headers, body: nil)
        }
    }

    mutating func contentType() -> [(String, String)] {
        let roll = int(0...9)
        if roll < 7 { return [("Content-Type", "application/json")] }
        if roll == 7 { return [] }
        return [("Content-Type", pick(["text/plain", "application/json; charset=utf-8", "application/xml", "application/json-seq", "*/*"]))]
    }

    /// A payment id: mostly a well-formed UUID that names nothing, else garbage (long, encoded, unicode).
    mutating func id() -> String {
        switch int(0...5) {
        case 0, 1, 2:
            let hex = (0..<32).map { _ in String(int(0...15), radix: 16) }.joined()
            return [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)].joined(separator: "-")
        case 3: return String(repeating: pick(["a", "9", "-", "%41"]), count: int(1...3000))
        case 4: return pick(["%00", "%2F%2E%2E", "%F0%9F%92%B3", "%C3%28", "..", "%20", "null", "0", "-1"])
        default: return text(maxLength: 80).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "x"
        }
    }

    mutating func text(maxLength: Int) -> String {
        let alphabet = Array("abcXYZ019-_.:/ \"\\{}[],ü€💳\u{0}\u{7f}")
        return String((0..<int(1...max(1, maxLength))).map { _ in pick(alphabet) })
    }

    mutating func jsonValue(depth: Int = 0) -> String {
        switch int(0...(depth > 2 ? 6 : 8)) {
        case 0: return "null"
        case 1: return pick(["true", "false"])
        case 2: return String(int(-1_000_000_000...1_000_000_000))
        case 3: return pick(["1e400", "-0", "0.5", "123456789012345678901234567890", "1E2", "-1", "99999999", "100000000"])
        case 4: return "\"" + text(maxLength: 20).replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\u{0}", with: "\\u0000").replacingOccurrences(of: "\u{7f}", with: "") + "\""
        case 5: return "\"" + pick(["USD", "EUR", "usd", "XXX", "pm_card_visa", "manual", "automatic", "6b1f2a4e-8a0c-4a8e-9a51-0d6f1c9d2b11"]) + "\""
        case 6: return "\"" + String(repeating: "x", count: int(100...2000)) + "\""
        case 7: return "[" + (0..<int(0...3)).map { _ in jsonValue(depth: depth + 1) }.joined(separator: ",") + "]"
        default: return "{" + (0..<int(0...3)).map { _ in "\"k\(int(0...50))\":" + jsonValue(depth: depth + 1) }.joined(separator: ",") + "}"
        }
    }

    /// An AuthorizePayment command: valid about one time in eight, else with fields dropped, retyped, added,
    /// duplicated, or the bytes broken.
    mutating func authorizeBody() -> [UInt8] {
        var fields: [(String, String)] = [
            ("cartId", "\"\(UUID().uuidString.lowercased())\""), ("customerId", "\"\(UUID().uuidString.lowercased())\""),
            ("amount", String(int(50...100_000))), ("currency", "\"" + pick(["USD", "EUR", "GBP"]) + "\""),
        ]
        if chance(0.3) { fields.append(("capture", "\"" + pick(["manual", "automatic"]) + "\"")) }
        if chance(0.2) { fields.append(("metadata", "{\"order_ref\":\"x\"}")) }
        if !chance(0.125) {
            for _ in 0..<int(1...3) {
                switch int(0...5) {
                case 0: if !fields.isEmpty { fields.remove(at: int(0...(fields.count - 1))) }
                case 1: if !fields.isEmpty { fields[int(0...(fields.count - 1))].1 = jsonValue() }
                case 2: fields.append((pick(["tip", "paymentMethod", "orderId", "metadata", "capture", "Amount", ""]), jsonValue()))
                case 3: if let first = fields.first { fields.append(first) }
                case 4: fields.append(("metadata", "{" + (0..<int(19...25)).map { "\"k\($0)\":\"v\"" }.joined(separator: ",") + "}"))
                default: break
                }
            }
        }
        let body = Array(("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}").utf8)
        return chance(0.25) ? mutate(body) : body
    }

    mutating func smallBody() -> [UInt8]? {
        switch int(0...4) {
        case 0: return nil
        case 1: return Array("{\"amount\":\(jsonValue())}".utf8)
        case 2: return Array("{\"reason\":\(jsonValue()),\"amount\":\(int(-5...5))}".utf8)
        case 3: return Array(jsonValue().utf8)
        default: return mutate(Array("{\"amount\":100}".utf8))
        }
    }

    /// Breaks bytes: truncation, a flipped byte, invalid UTF-8, deep nesting, or sheer size.
    mutating func mutate(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        switch int(0...5) {
        case 0: bytes = Array(bytes.prefix(int(0...bytes.count)))
        case 1: if !bytes.isEmpty { bytes[int(0...(bytes.count - 1))] = UInt8.random(in: 0...255, using: &random) }
        case 2: bytes.insert(contentsOf: pick([[0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80], [0xC0, 0xAF]]), at: int(0...bytes.count))
        case 3: let depth = int(100...20_000); bytes = Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8)
        case 4: bytes += [UInt8](repeating: UInt8(ascii: " "), count: int(16_000...40_000))
        default: bytes = (0..<int(1...64)).map { _ in UInt8.random(in: 0...255, using: &random) }
        }
        return bytes
    }
}

/// Input that broke, or could break, other customers' requests when it shared their group commit.
enum HostileClass: CaseIterable, Sendable {
    case nul, noncharacter, longString, deepNesting, hugeNumber
}

extension RequestGenerator {
    /// A valid AuthorizePayment command, sent with a token.
    mutating func sentinel() -> GeneratedRequest {
        let body = Array(TestSupport.authorizeBody(amount: int(50...100_000)).utf8)
        return GeneratedRequest(
            client: 0, method: "POST", path: "/payments/authorize", headers: [("Content-Type", "application/json")], body: body,
            isSentinel: true)
    }

    /// A request of one hostile class, mostly an authorize command, its hostile value at a random place and depth.
    mutating func hostile(_ kind: HostileClass) -> GeneratedRequest {
        let value: String
        switch kind {
        case .nul: value = "\"" + pick(["", "x", "pm_card_visa", "USD"]) + "\\u0000" + pick(["", "y"]) + "\""
        case .noncharacter:
            let raw = [0xFFFE, 0xFFFF, 0xFDD0, 0x1FFFE, 0x10FFFF].map { String(Unicode.Scalar(UInt32($0))!) }
            value = "\"" + pick(raw + ["\\uffff", "\\ufdef", "\\ud83f\\udffe"]) + "\""
        case .longString: value = "\"" + String(repeating: pick(["x", "ü", "💳"]), count: int(501...6_000)) + "\""
        case .deepNesting:
            let depth = int(20...3_000)
            value = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        case .hugeNumber:
            value = pick(["18446744073709551616", "-9223372036854775809", "9223372036854775808", "1e30", "123456789012345678901234567890123", "-0.000000000000000000001e-400"])
        }
        return placed(value, kind)
    }

    /// `value` as a top-level field, a metadata value or key, or deep inside an unknown field; now and then in a
    /// capture or refund body instead.
    private mutating func placed(_ value: String, _ kind: HostileClass) -> GeneratedRequest {
        let base = #""cartId":"\#(UUID().uuidString.lowercased())","amount":\#(int(50...9_999)),"currency":"USD""#
        let wrapped = (0..<int(0...12)).reduce(value) { inner, _ in chance(0.5) ? "[" + inner + "]" : "{\"k\":" + inner + "}" }
        let json: String
        switch int(0...5) {
        case 0: json = "{" + base + #","metadata":{"note":"# + value + "}}"
        case 1: json = "{" + base + ",\"" + pick(["amount", "currency", "paymentMethod", "orderId", "capture"]) + "\":" + value + "}"
        case 2: json = "{" + base + #","extra":"# + wrapped + "}"
        case 3 where value.hasPrefix("\""): json = "{" + base + #","metadata":{"# + value + ":\"v\"}}"
        case 4:
            let path = "/payments/\(UUID().uuidString.lowercased())/" + pick(["capture", "refunds"])
            let body = "{\"" + pick(["amount", "reason"]) + "\":" + wrapped + "}"
            return GeneratedRequest(client: 0, method: "POST", path: path, headers: [("Content-Type", "application/json")], body: Array(body.utf8), hostile: kind)
        default: json = "{" + base + #","metadata":{"a":"# + wrapped + "}}"
        }
        return GeneratedRequest(client: 0, method: "POST", path: "/payments/authorize", headers: [("Content-Type", "application/json")], body: Array(json.utf8), hostile: kind)
    }
}
