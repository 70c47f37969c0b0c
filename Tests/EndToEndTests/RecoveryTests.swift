import Foundation
import Testing
import TestSupport

/// Acknowledged means committed: a SIGKILL loses nothing and charges nothing twice.
@Suite("Recovery after a crash")
struct RecoveryTests {
    @Test("a burst acknowledged, the service killed, restarted: every payment settles, none confirmed twice")
    func killAndRestart() async throws {
        try await Stack.withStack { stack in
            let first = try await ServiceProcess.start(environment: stack.environment())
            let api = stack.client(first)
            let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                for i in 0..<60 {
                    group.addTask {
                        let answer = try await api.post(
                            "/payments/authorize", json: authorizeBody(capture: i % 3 == 0 ? "automatic" : nil))
                        return answer.status == 201 ? answer.string("paymentId") : nil
                    }
                }
                return try await group.reduce(into: [String]()) { if let id = $1 { $0.append(id) } }
            }
            first.kill()
            #expect(ids.count == 60)

            let second = try await ServiceProcess.start(environment: stack.environment(), port: first.port)
            defer { second.terminate() }
            for id in ids {
                let settled = try await stack.awaitSettled(api, paymentId: id, timeout: .seconds(60))
                #expect(["AUTHORIZED", "CAPTURED"].contains(settled.string("status") ?? ""), "\(id): \(settled.text)")
            }
            let ledger = try await stack.ledgerIntents()
            for id in ids {
                let confirmed = (ledger[id] ?? []).filter { ($0["confirmations"] as? Int ?? 0) > 0 }
                #expect(confirmed.count == 1, "\(id) has \(confirmed.count) confirmed intents")
            }
            #expect(try await stack.database.scalar("SELECT count(*) FROM operations WHERE status = 'queued'") == "0")
        }
    }
}
