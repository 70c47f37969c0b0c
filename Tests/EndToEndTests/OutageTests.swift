import Foundation
import StripeGateway
import StripeSandbox
import Testing
import TestSupport

/// The database going away under a running service, and a graceful stop with processor calls in flight.
@Suite("Database outages and graceful shutdown")
struct OutageTests {
    @Test("PostgreSQL down: 503 with Retry-After within 2 s, not ready, worker paused; back up: the same process carries on, nothing lost")
    func databaseOutage() async throws {
        let postgres = try await PrivatePostgres.start()
        defer { postgres.destroy() }
        try await withStripeSandbox { sandbox in
            let environment = [
                "DATABASE_URL": postgres.url, "STRIPE_API_BASE": sandbox.baseURL, "STRIPE_SECRET_KEY": SandboxHarness.apiKey,
                "PAYMENT_API_TOKENS": Stack.token, "STRIPE_WEBHOOK_SECRET": Stack.webhookSecret, "DB_POOL_SIZE": "4",
            ]
            let service = try await ServiceProcess.start(environment: environment)
            defer { service.kill() }
            let api = APIClient(baseURL: service.baseURL, token: Stack.token)
            let quick = APIClient(
                baseURL: service.baseURL, token: Stack.token, http: CurlHTTPClient(maxConcurrent: 4, connectTimeout: .seconds(2), totalTimeout: .seconds(10)))
            var acknowledged: [String] = []
            for _ in 0..<5 {
                let answer = try await api.post("/payments/authorize", json: authorizeBody(), headers: [("Prefer", "wait=5")])
                #expect(answer.status == 201 && answer.string("status") == "AUTHORIZED", "\(answer.text)")
                acknowledged.append(try #require(answer.string("paymentId")))
            }
            // Some acknowledged just before the outage: their authorizations may be cut off mid-way.
            for _ in 0..<5 {
                let answer = try await api.post("/payments/authorize", json: authorizeBody())
                #expect(answer.status == 201)
                acknowledged.append(try #require(answer.string("paymentId")))
            }

            try await postgres.stop()
            let clock = ContinuousClock()
            for _ in 0..<3 {
                let start = clock.now
                let refused = try await quick.post("/payments/authorize", json: authorizeBody())
                let elapsed = clock.now - start
                #expect(refused.status == 503, "\(refused.text)")
                #expect(refused.headers["retry-after"] != nil)
                #expect(elapsed < .seconds(2), "the 503 took \(elapsed)")
            }
            let start = clock.now
            let read = try await quick.get("/payments/\(acknowledged[0])")
            #expect(read.status == 503 && read.headers["retry-after"] != nil, "\(read.status) \(read.text)")
            #expect(clock.now - start < .seconds(2))
            #expect(try await quick.get("/health/ready").status == 503)
            #expect(try await quick.get("/health/live").status == 200)
            try await Task.sleep(for: .seconds(2))  // the worker finds the database gone meanwhile
            #expect(fullLog(service).contains("worker paused"), "\(service.log())")

            try await postgres.start()
            let deadline = clock.now + .seconds(30)
            while try await quick.get("/health/ready").status != 200, clock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(try await quick.get("/health/ready").status == 200)
            let fresh = try await api.post("/payments/authorize", json: authorizeBody(), headers: [("Prefer", "wait=10")])
            #expect(fresh.status == 201 && fresh.string("status") == "AUTHORIZED", "\(fresh.text)")
            acknowledged.append(try #require(fresh.string("paymentId")))

            for id in acknowledged { _ = try await awaitStatus(api, id, "AUTHORIZED", timeout: .seconds(60)) }
            let intents = try await sandbox.ledger()["payment_intents"] as? [[String: Any]] ?? []
            let ledger = Dictionary(grouping: intents) { ($0["metadata"] as? [String: String])?["payment_id"] ?? "" }
            for id in acknowledged {
                let payment = try await api.get("/payments/\(id)")
                #expect(payment.string("status") == "AUTHORIZED", "\(payment.text)")
                #expect(ledgerDisagreements(payment: payment, intents: ledger[id] ?? []).isEmpty)
            }
            // Never restarted: the same process reconnected and its worker resumed.
            #expect(fullLog(service).contains("worker resumes"), "\(service.log())")
        }
    }

    @Test("SIGTERM with processor calls in flight: they finish, no lease is left behind, exit 0; a restart settles everything")
    func gracefulShutdown() async throws {
        try await Stack.withStack(sandbox: SandboxConfiguration(port: 0, faults: FaultPlan(latencyMs: [1500, 1500], seed: 31))) { stack in
            let first = try await ServiceProcess.start(environment: stack.environment())
            let api = stack.client(first)
            var ids: [String] = []
            for _ in 0..<4 {
                let answer = try await api.post("/payments/authorize", json: authorizeBody())
                #expect(answer.status == 201)
                ids.append(try #require(answer.string("paymentId")))
            }
            let deadline = ContinuousClock.now + .seconds(10)
            while try await stack.database.scalar("SELECT count(*) FROM operations WHERE dispatched_at IS NOT NULL") == "0",
                ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await stack.database.scalar("SELECT count(*) FROM operations WHERE lease_owner IS NOT NULL") != "0")
            let clock = ContinuousClock()
            let start = clock.now
            let status = try await offThePool { first.terminate() }
            let took = clock.now - start
            #expect(status == 0, "\(first.log())")
            #expect(took < .seconds(15), "shutdown took \(took)")
            #expect(fullLog(first).contains("worker draining"), "\(first.log())")
            // Nothing leased to the stopped process: whatever was not finished is free for the next one at once.
            #expect(try await stack.database.scalar("SELECT count(*) FROM operations WHERE lease_owner IS NOT NULL") == "0")
            let finished = try await stack.database.scalar("SELECT count(*) FROM payments WHERE status = 'AUTHORIZED'")
            #expect(finished != "0", "the calls in flight were let finish")

            let second = try await ServiceProcess.start(environment: stack.environment(), port: first.port)
            defer { second.terminate() }
            let ledger = try await {
                for id in ids { _ = try await awaitStatus(api, id, "AUTHORIZED", timeout: .seconds(60)) }
                return try await stack.ledgerIntents()
            }()
            for id in ids {
                let payment = try await api.get("/payments/\(id)")
                #expect(payment.string("status") == "AUTHORIZED", "\(payment.text)")
                #expect(ledgerDisagreements(payment: payment, intents: ledger[id] ?? []).isEmpty)
            }
        }
    }
}

/// The whole log of a service process (its `log()` keeps only the tail).
func fullLog(_ service: ServiceProcess) -> String {
    (try? String(contentsOf: service.logFile, encoding: .utf8)) ?? ""
}
