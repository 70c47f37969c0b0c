import Foundation
import StripeSandbox
import Testing
import TestSupport

/// Each sandbox fault on its own, seeded so runs repeat: a small mix of payments (a hold then captured, a
/// hold then voided, an automatic capture then partly refunded, a decline) still ends right — charged at
/// most once, recorded as the ledger says.
@Suite("Exactly once under processor faults")
struct FaultToleranceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var faults: FaultPlan
        var extra: [String: String] = [:]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "error_before", faults: FaultPlan(errorBefore: 0.4, seed: 11)),
        Case(name: "error_after", faults: FaultPlan(errorAfter: 0.4, seed: 12)),
        Case(name: "drop_before", faults: FaultPlan(dropBefore: 0.4, seed: 13)),
        Case(name: "drop_after", faults: FaultPlan(dropAfter: 0.4, seed: 14)),
        Case(name: "latency", faults: FaultPlan(latencyMs: [300, 1200], seed: 15)),
        Case(name: "rate_limit_rps", faults: FaultPlan(rateLimitRps: 2, seed: 16)),
        Case(name: "rate_limit_rps with STRIPE_MAX_RPS", faults: FaultPlan(rateLimitRps: 3, seed: 17), extra: ["STRIPE_MAX_RPS": "2"]),
        Case(name: "everything at once",
             faults: FaultPlan(errorBefore: 0.15, errorAfter: 0.15, dropBefore: 0.1, dropAfter: 0.15, latencyMs: [0, 200], rateLimitRps: 10,
                               seed: 18)),
    ]

    @Test("one of each payment ends right", arguments: cases)
    func endsRight(_ testCase: Case) async throws {
        try await Stack.withService(sandbox: SandboxConfiguration(port: 0, faults: testCase.faults), extra: testCase.extra) { stack, service in
            let api = stack.client(service)
            async let held = authorize(api, body: authorizeBody(paymentMethod: "pm_card_visa"))
            async let voided = authorize(api, body: authorizeBody(paymentMethod: "pm_card_mastercard"))
            async let charged = authorize(api, body: authorizeBody(amount: 8000, capture: "automatic"))
            async let declined = authorize(api, body: authorizeBody(paymentMethod: "pm_card_chargeDeclinedInsufficientFunds"))
            let ids = try await [held, voided, charged, declined]

            var settled: [APIClient.Answer] = []
            for id in ids { settled.append(try await stack.awaitSettled(api, paymentId: id, timeout: .seconds(120))) }
            #expect(settled.map { $0.string("status") ?? "" } == ["AUTHORIZED", "AUTHORIZED", "CAPTURED", "FAILED"], "\(settled.map(\.text))")
            #expect(settled[3].string("failureReason") == "INSUFFICIENT_FUNDS")

            // Then the operations, under the same faults: each answered, each ends where it should.
            #expect([200, 202].contains(try await api.post("/payments/\(ids[0])/capture", json: "{\"amount\":3000}").status))
            #expect([200, 202].contains(try await api.post("/payments/\(ids[1])/void", json: nil).status))
            let refund = try await api.post("/payments/\(ids[2])/refunds", json: "{\"amount\":2500}", headers: [("Idempotency-Key", "r-\(ids[2])")])
            #expect(refund.status == 201, "\(refund.text)")
            let final = [
                try await awaitStatus(api, ids[0], "CAPTURED"), try await awaitStatus(api, ids[1], "VOIDED"),
                try await awaitRefunded(api, ids[2], 2500), settled[3],
            ]
            #expect(final[0].int("amountCaptured") == 3000)
            #expect(final[2].int("amountCaptured") == 8000)

            let ledger = try await stack.ledgerIntents()
            for payment in final {
                let problems = ledgerDisagreements(payment: payment, intents: ledger[payment.string("paymentId") ?? ""] ?? [])
                #expect(problems.isEmpty, "\(testCase.name): \(problems)")
                #expect(payment.json["lastError"] is NSNull, "\(payment.text)")
            }
            // Every event once, in the right order, whatever was retried.
            let events = try await stack.database.column("SELECT type FROM events WHERE payment_id = \(ids[2]) ORDER BY seq")
            #expect(events == ["payment-requested", "payment-succeeded", "payment-captured", "refund-requested", "refund-processed"])
        }
    }

    @Test("lease takeover: an instance killed with calls in flight; a second instance on the same database finishes them, charging once")
    func leaseTakeover() async throws {
        try await Stack.withStack(sandbox: SandboxConfiguration(port: 0, faults: FaultPlan(latencyMs: [1500, 1500], seed: 21))) { stack in
            let first = try await ServiceProcess.start(environment: stack.environment())
            let api = stack.client(first)
            var ids: [String] = []
            for i in 0..<8 {
                let answer = try await api.post("/payments/authorize", json: authorizeBody(capture: i % 2 == 0 ? "automatic" : nil))
                #expect(answer.status == 201)
                ids.append(try #require(answer.string("paymentId")))
            }
            // Wait until the first instance holds leases with calls in flight (dispatched, not finished), then kill it.
            let deadline = ContinuousClock.now + .seconds(10)
            while try await stack.database.scalar(
                "SELECT count(*) FROM operations WHERE status = 'queued' AND lease_owner IS NOT NULL AND dispatched_at IS NOT NULL") == "0",
                ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            try await Task.sleep(for: .milliseconds(1700))  // the creates have executed; the confirms are on the wire
            first.kill()
            let orphaned = try await stack.database.scalar(
                "SELECT count(*) FROM operations WHERE status = 'queued' AND lease_owner IS NOT NULL AND lease_until > now()")
            #expect(orphaned != "0", "no lease was held at the kill")

            let second = try await ServiceProcess.start(environment: stack.environment())
            defer { second.terminate() }
            let other = stack.client(second)
            let ledger: [String: [[String: Any]]]
            var settled: [APIClient.Answer] = []
            for id in ids { settled.append(try await stack.awaitSettled(other, paymentId: id, timeout: .seconds(90))) }
            ledger = try await stack.ledgerIntents()
            for payment in settled {
                #expect(["AUTHORIZED", "CAPTURED"].contains(payment.string("status") ?? ""), "\(payment.text)")
                let problems = ledgerDisagreements(payment: payment, intents: ledger[payment.string("paymentId") ?? ""] ?? [])
                #expect(problems.isEmpty, "\(problems)")
            }
            let owners = try await stack.database.column("SELECT DISTINCT lease_owner FROM operations WHERE lease_owner IS NOT NULL")
            #expect(owners.isEmpty, "\(owners)")
        }
    }
}

/// POSTs an authorization until it is acknowledged; returns the payment id.
func authorize(_ api: APIClient, body: String) async throws -> String {
    let answer = try await api.post("/payments/authorize", json: body, headers: [("Prefer", "wait=2")])
    guard [200, 201, 402].contains(answer.status), let id = answer.string("paymentId") else {
        throw HarnessError(message: "authorize answered \(answer.status): \(answer.text)")
    }
    return id
}

func awaitStatus(_ api: APIClient, _ id: String, _ status: String, timeout: Duration = .seconds(120)) async throws -> APIClient.Answer {
    let deadline = ContinuousClock.now + timeout
    var last = try await api.get("/payments/\(id)")
    while last.string("status") != status, ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(200))
        last = try await api.get("/payments/\(id)")
    }
    return last
}

func awaitRefunded(_ api: APIClient, _ id: String, _ amount: Int, timeout: Duration = .seconds(120)) async throws -> APIClient.Answer {
    let deadline = ContinuousClock.now + timeout
    var last = try await api.get("/payments/\(id)")
    while last.int("amountRefunded") != amount, ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(200))
        last = try await api.get("/payments/\(id)")
    }
    return last
}
