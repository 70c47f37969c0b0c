import Foundation
import StripeSandbox
import Testing
import TestSupport

/// `Prefer: wait` answers as soon as the outcome is committed: woken by the worker's outcome stream in one
/// process, by the event NOTIFY across processes; never by a poll. The lag is the answer's arrival here minus
/// the `updated_at` of the row the outcome wrote (set in its statement, so before its commit: the lag measured
/// includes the commit). Both clocks are this machine's. The sandbox's latency spreads the outcomes' commits
/// over hundreds of milliseconds, as Stripe's would, so a poll every 10, 20, 40… 200 ms would miss them by tens.
@Suite("Prefer: wait, woken by the outcome", .serialized)
struct WaitLatencyTests {
    static let faults = FaultPlan(latencyMs: [40, 160], seed: 41)
    static let rounds = 10
    static let wait = [("Prefer", "wait=10")]

    @Test("in one process (ROLE=all): the median answer arrives within 15 ms of the outcome's commit")
    func oneProcess() async throws {
        try await Stack.withService(sandbox: SandboxConfiguration(port: 0, faults: Self.faults)) { stack, service in
            let lags = try await Self.measure(stack, stack.client(service))
            lags.expectMedians(within: 15, "one process")
        }
    }

    @Test("across processes (ROLE=api answers, ROLE=worker does the work): the median answer arrives within 40 ms")
    func twoProcesses() async throws {
        try await Stack.withStack(sandbox: SandboxConfiguration(port: 0, faults: Self.faults)) { stack in
            let api = try await ServiceProcess.start(environment: stack.environment(role: "api"))
            let worker = try await ServiceProcess.start(environment: stack.environment(role: "worker"))
            defer {
                api.terminate()
                worker.terminate()
            }
            let lags = try await Self.measure(stack, stack.client(api))
            lags.expectMedians(within: 40, "two processes")
            #expect(api.terminate() == 0, "\(api.log())")
            #expect(worker.terminate() == 0, "\(worker.log())")
        }
    }

    /// The milliseconds from each outcome's commit to its answer, by kind.
    struct Lags {
        var authorize: [Double] = []
        var capture: [Double] = []
        var refund: [Double] = []

        /// The median of every answer, all kinds together (the median of one kind's ten moves with a single slow
        /// spell on a shared machine; polling shows in every kind).
        func expectMedians(within bound: Double, _ setting: String, sourceLocation: SourceLocation = #_sourceLocation) {
            for (kind, lags) in [("authorize", authorize), ("capture", capture), ("refund", refund)] {
                let sorted = lags.sorted()
                print("Prefer: wait lag, \(setting), \(kind) (ms): median \(Self.format(Self.median(sorted))), all \(sorted.map(Self.format))")
                #expect(sorted.count == WaitLatencyTests.rounds, "\(kind): \(sorted.count) answers", sourceLocation: sourceLocation)
            }
            let all = (authorize + capture + refund).sorted()
            #expect(Self.median(all) <= bound, "median \(Self.median(all)) ms > \(bound) ms (\(all.map(Self.format)))", sourceLocation: sourceLocation)
        }

        static func median(_ sorted: [Double]) -> Double { sorted.isEmpty ? .infinity : sorted[sorted.count / 2] }

        static func format(_ value: Double) -> String { String(format: "%.1f", value) }
    }

    /// Authorizes, captures and refunds `rounds` payments one after another, each with `Prefer: wait`.
    static func measure(_ stack: Stack, _ api: APIClient) async throws -> Lags {
        var lags = Lags()
        for _ in 0..<rounds {
            let (authorized, authorizedAt) = try await arrival { try await api.post("/payments/authorize", json: authorizeBody(), headers: wait) }
            #expect(authorized.string("status") == "AUTHORIZED", "\(authorized.text)")
            let id = try #require(authorized.string("paymentId"))
            lags.authorize.append(authorizedAt - (try await committed(stack, "payments", id)))

            let (captured, capturedAt) = try await arrival { try await api.post("/payments/\(id)/capture", json: nil, headers: wait) }
            #expect(captured.status == 200 && captured.string("status") == "CAPTURED", "\(captured.text)")
            lags.capture.append(capturedAt - (try await committed(stack, "payments", id)))

            let key = [("Idempotency-Key", UUID().uuidString)]
            let (refunded, refundedAt) = try await arrival { try await api.post("/payments/\(id)/refunds", json: #"{"amount":1000}"#, headers: wait + key) }
            #expect(refunded.string("status") == "PROCESSED", "\(refunded.text)")
            lags.refund.append(refundedAt - (try await committed(stack, "refunds", try #require(refunded.string("refundId")))))
        }
        return lags
    }

    /// The answer and when it arrived (milliseconds since 1970).
    static func arrival(_ request: () async throws -> APIClient.Answer) async throws -> (APIClient.Answer, Double) {
        let answer = try await request()
        return (answer, Date().timeIntervalSince1970 * 1000)
    }

    /// The row's `updated_at` (milliseconds since 1970): when the outcome's statement ran, just before its commit.
    static func committed(_ stack: Stack, _ table: String, _ id: String) async throws -> Double {
        let epoch = try await stack.database.scalar("SELECT extract(epoch FROM updated_at)::text FROM \(unescaped: table) WHERE id = \(id)::uuid")
        return try #require(epoch.flatMap(Double.init)) * 1000
    }
}
