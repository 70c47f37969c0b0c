import Foundation
import HTTPTypes
import Testing
@testable import APIActor

@Suite("GET /audit and X-Reason")
struct AuditRoutesTests {
    static let tokens = [RouteBed.token, "ordering:authorize+read+capture+refund:secret-ordering", "ops:admin:secret-ops"]

    @Test("each write's row names its credential, its X-Reason and its request id, oldest first, paged by cursor")
    func readsTheLog() async throws {
        try await RouteBed.run(RouteBed.configuration(tokens: Self.tokens)) { bed in
            let answer = try await bed.post(
                "/payments/authorize", json: RouteBed.command(amount: 800), token: "secret-ordering",
                headers: [.reason: "checkout 42", HTTPField.Name("X-Request-Id")!: "req-authorize"])
            let payment = try #require(answer.string("paymentId"))
            #expect(answer.string("createdBy") == "ordering")
            try await bed.settle(payment, as: .authorized)
            let capture = try await bed.post("/payments/\(payment)/capture", json: "{}", token: "secret-ops", headers: [.reason: "ops: captured by hand"])
            #expect(capture.status == 202)
            let page = try await bed.get("/audit?subject=\(payment)", token: "secret-ops")
            #expect(page.status == 200, "\(page.text)")
            let entries = try #require(page.object["entries"] as? [[String: Any]])
            #expect(entries.map { $0["action"] as? String } == ["authorize", "capture"])
            #expect(entries.map { $0["actor"] as? String } == ["ordering", "ops"])
            #expect(entries.map { $0["reason"] as? String } == ["checkout 42", "ops: captured by hand"])
            #expect(entries[0]["requestId"] as? String == "req-authorize")
            #expect((entries[1]["requestId"] as? String)?.isEmpty == false)
            #expect(entries.map { $0["statusBefore"] as? String } == [nil, "AUTHORIZED"])
            #expect(page.string("next") == entries[1]["cursor"] as? String)
            let rest = try await bed.get("/audit?subject=\(payment)&after=\(try #require(entries[0]["cursor"] as? String))&limit=5", token: "secret-ops")
            #expect((rest.object["entries"] as? [[String: Any]])?.map { $0["action"] as? String } == ["capture"])
            let empty = try await bed.get("/audit?subject=\(RouteBed.newId())", token: "secret-ops")
            #expect(empty.text == #"{"entries":[],"next":"0"}"#)
            try RouteBed.expectDocumented("GET", "/audit", [page, rest, empty])
        }
    }

    @Test("bad parameters are one 400 naming each; ordering's credential is a 403")
    func badParameters() async throws {
        try await RouteBed.run(RouteBed.configuration(tokens: Self.tokens)) { bed in
            let cases: [(String, [String])] = [
                ("", ["subject"]), ("subject=nope", ["subject"]), ("subject=\(RouteBed.newId())&after=-1", ["after"]),
                ("subject=\(RouteBed.newId())&after=99999999999999999999", ["after"]),
                ("subject=\(RouteBed.newId())&limit=0", ["limit"]), ("subject=\(RouteBed.newId())&limit=501", ["limit"]),
                ("after=x&limit=x", ["subject", "after", "limit"]),
            ]
            for (query, fields) in cases {
                let answer = try await bed.get("/audit?\(query)", token: "secret-ops")
                for field in fields { answer.expectProblem(400, naming: field) }
            }
            try await bed.get("/audit?subject=\(RouteBed.newId())", token: "secret-ordering").expectProblem(403)
        }
    }

    @Test("an X-Reason over 500 characters, with a control character or not ASCII is a 400 naming it, and nothing is written")
    func badReason() async throws {
        try await RouteBed.run(RouteBed.configuration(tokens: Self.tokens)) { bed in
            let payment = try await bed.authorize()
            try await bed.settle(payment, as: .authorized)
            for reason in [String(repeating: "x", count: 501), "tab\tis not printable", "é", "\u{FFFD}"] {
                try await bed.post("/payments/\(payment)/capture", json: "{}", token: "secret-ops", headers: [.reason: reason])
                    .expectProblem(400, naming: "X-Reason")
                try await bed.post("/payments/authorize", json: RouteBed.command(), token: "secret-ops", headers: [.reason: reason])
                    .expectProblem(400, naming: "X-Reason")
            }
            #expect(try await bed.db.scalar("SELECT count(*) FROM operations") == "1")
            #expect(try await bed.db.scalar("SELECT count(*) FROM payments") == "1")
            let fine = try await bed.post(
                "/payments/\(payment)/capture", json: "{}", token: "secret-ops", headers: [.reason: String(repeating: "~", count: 500)])
            #expect(fine.status == 202)
        }
    }
}
