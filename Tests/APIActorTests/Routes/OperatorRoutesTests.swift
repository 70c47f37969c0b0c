import Foundation
import HTTPTypes
import Payments
import Testing
@testable import APIActor

@Suite("Operator routes: filtered payments, operations, retry and sync")
struct OperatorRoutesTests {
    /// Pages through `query` (limit 3) and returns every paymentId seen, in order.
    static func walk(_ bed: RouteBed, _ query: String, during write: @Sendable () async throws -> Void = {}) async throws -> [String] {
        var seen: [String] = []
        var after: String?
        repeat {
            let page = try await bed.get("/payments?\(query)&limit=3" + (after.map { "&after=\($0)" } ?? ""))
            #expect(page.status == 200, "\(page.text)")
            seen += (page.object["payments"] as? [[String: Any]] ?? []).compactMap { $0["paymentId"] as? String }
            after = page.object["next"] as? String
            try await write()
        } while after != nil
        return seen
    }

    struct Made: Sendable {
        var id: String
        var amount: Int
        var status: PaymentStatus
        var error: Bool
    }

    @Test("each filter, alone and together, holds under paging while other payments are written and changed")
    func filtersUnderPaging() async throws {
        try await RouteBed.run { bed in
            var made: [Made] = []
            for index in 0..<12 {
                let amount = 100 * (index + 1)
                let id = try await bed.authorize(amount: amount)
                let status: PaymentStatus = [.requested, .authorized, .captured, .failed][index % 4]
                if status != .requested { try await bed.settle(id, as: status, captured: status == .captured ? amount : 0) }
                let error = index % 3 == 0
                if error { _ = try await bed.db.column("UPDATE payments SET last_error = '{\"code\":\"x\"}' WHERE id = \(id)::uuid") }
                made.append(Made(id: id, amount: amount, status: status, error: error))
            }
            let from = try #require(try await bed.db.scalar("SELECT to_char(min(created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM payments"))
            let table: [(String, @Sendable (Made) -> Bool)] = [
                ("status=AUTHORIZED", { $0.status == .authorized }),
                ("hasLastError=true", { $0.error }),
                ("hasLastError=false", { !$0.error }),
                ("amountFrom=300&amountTo=900", { (300...900).contains($0.amount) }),
                ("currency=USD", { _ in true }),
                ("currency=EUR", { _ in false }),
                ("createdFrom=\(from)", { _ in true }),
                ("createdTo=2000-01-01T00:00:00Z", { _ in false }),
                ("status=CAPTURED&amountFrom=500&hasLastError=false", { $0.status == .captured && $0.amount >= 500 && !$0.error }),
            ]
            for (query, matches) in table {
                // Meanwhile: new payments (created after the walk began) and payments that match nothing change.
                let seen = try await Self.walk(bed, query) {
                    let extra = try await bed.authorize(amount: 99_000)
                    _ = try await bed.db.column("UPDATE payments SET updated_at = clock_timestamp() WHERE amount = 99000 OR id = \(extra)::uuid")
                }
                let expected = made.filter(matches).map(\.id)
                #expect(seen.filter { id in made.contains { $0.id == id } } == expected, "\(query)")
                #expect(Set(seen).count == seen.count, "\(query): a payment twice")
            }
        }
    }

    @Test("every bad parameter is one 400 naming it; a 31 February, an offset past 15:59 and an unknown parameter too")
    func badParameters() async throws {
        try await RouteBed.run { bed in
            let cases: [(String, [String])] = [
                ("status=DONE", ["status"]), ("createdFrom=2026-02-31T00:00:00Z", ["createdFrom"]),
                ("createdTo=2026-01-01T00:00:00+16:00", ["createdTo"]), ("createdFrom=0000-01-01T00:00:00Z", ["createdFrom"]),
                ("createdFrom=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%94-01-01T00:00:00Z", ["createdFrom"]),
                ("createdTo=2024-01-01T00:00:00.%D9%A1Z", ["createdTo"]), ("createdTo=2024-01-01T00:00:00+%EF%BC%91%EF%BC%90:00", ["createdTo"]),
                ("hasLastError=yes", ["hasLastError"]), ("currency=usd", ["currency"]), ("amountFrom=-1&amountTo=x", ["amountFrom", "amountTo"]),
                ("after=12", ["after"]), ("after=9223372036854775807.\(RouteBed.newId())", ["after"]), ("limit=0", ["limit"]), ("status=FAILED&status=VOIDED", ["status"]), ("colour=red", ["colour"]),
            ]
            for (query, fields) in cases {
                let answer = try await bed.get("/payments?\(query)")
                for field in fields { answer.expectProblem(400, naming: field) }
            }
            try await bed.get("/operations?state=done").expectProblem(400, naming: "state")
            try await bed.get("/operations?after=x&limit=501").expectProblem(400, naming: "limit")
        }
    }

    @Test("GET /operations shows the unfinished, by state, with why and who; retry releases a parked one; sync needs an intent")
    func operationsRetryAndSync() async throws {
        try await RouteBed.run { bed in
            let payment = try await bed.authorize()
            let operation = try #require(try await bed.db.scalar("SELECT id FROM operations WHERE payment_id = \(payment)::uuid"))
            _ = try await bed.db.column("UPDATE operations SET status = 'parked', last_error = 'unreadable answer' WHERE id = \(operation)::bigint")
            let parked = try await bed.get("/operations?state=parked")
            let rows = try #require(parked.object["operations"] as? [[String: Any]])
            #expect(rows.count == 1 && rows[0]["lastError"] as? String == "unreadable answer" && rows[0]["kind"] as? String == "authorize")
            #expect((try await bed.get("/operations?state=queued").object["operations"] as? [Any])?.isEmpty == true)

            try await bed.post("/payments/\(payment)/sync", json: nil).expectProblem(409)
            let retried = try await bed.post("/operations/\(operation)/retry", json: nil, headers: [.reason: "stuck"])
            #expect(retried.status == 202, "\(retried.text)")
            #expect(retried.object["operationId"] as? Int == Int(operation))
            #expect(try await bed.db.scalar("SELECT status FROM operations WHERE id = \(operation)::bigint") == "queued")
            let again = try await bed.post("/operations/\(operation)/retry", json: nil)
            #expect(again.status == 202)
            try await bed.post("/operations/99999999/retry", json: nil).expectProblem(404)
            try await bed.post("/operations/x/retry", json: nil).expectProblem(404)

            try await bed.settle(payment, as: .authorized)
            let synced = try await bed.post("/payments/\(payment)/sync", json: nil)
            #expect(synced.status == 202, "\(synced.text)")
            let twice = try await bed.post("/payments/\(payment)/sync", json: nil)
            #expect(twice.object["operationId"] as? Int == synced.object["operationId"] as? Int, "a second sync while one waits adds none")
            try await bed.post("/operations/\(operation)/retry", json: nil).expectProblem(409)
            let log = try await bed.db.column("SELECT action || ' ' || coalesce(reason, '-') FROM audit_log WHERE payment_id = \(payment) ORDER BY id")
            #expect(log == ["authorize -", "retry stuck", "sync -"])
            try RouteBed.expectDocumented("GET", "/operations", [parked])
            try RouteBed.expectDocumented("POST", "/operations/{operationId}/retry", [retried])
            try RouteBed.expectDocumented("POST", "/payments/{paymentId}/sync", [synced])
        }
    }
}
