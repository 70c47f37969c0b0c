import Foundation
import StripeSandbox
import Testing
import TestSupport

/// The real service and gateway against the sandbox's refusals: a refused capture or void blocks nothing, a
/// refused key fails no customer, and each ends as the ledger says.
@Suite("Refusals at the processor: new attempts, refused keys")
struct ProcessorRefusalTests {
    static let wait = [("Prefer", "wait=5")]

    func authorized(_ api: APIClient) async throws -> String {
        let id = try await authorize(api, body: authorizeBody(amount: 3000))
        let settled = try await awaitStatus(api, id, "AUTHORIZED", timeout: .seconds(20))
        #expect(settled.string("status") == "AUTHORIZED", "\(settled.text)")
        return id
    }

    func agrees(_ stack: Stack, _ payment: APIClient.Answer) async throws {
        let ledger = try await stack.ledgerIntents()
        let problems = ledgerDisagreements(payment: payment, intents: ledger[payment.string("paymentId") ?? ""] ?? [])
        #expect(problems.isEmpty, "\(problems)")
    }

    func lastErrorOperation(_ answer: APIClient.Answer) -> String? {
        (answer.json["lastError"] as? [String: Any])?["operation"] as? String
    }

    @Test("a refused capture answers 202 with lastError; a void then succeeds, and the ledger agrees")
    func refusedCaptureThenVoid() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            let id = try await authorized(api)
            try await stack.sandbox.setFaults(FaultPlan(refuse: .init(capture: 1)))
            let refused = try await api.post("/payments/\(id)/capture", json: nil, headers: Self.wait)
            #expect(refused.status == 202, "\(refused.text)")
            #expect(refused.string("status") == "AUTHORIZED")
            #expect(lastErrorOperation(refused) == "capture", "\(refused.text)")
            try await stack.sandbox.setFaults(FaultPlan())
            let voided = try await api.post("/payments/\(id)/void", json: nil, headers: Self.wait)
            #expect(voided.status == 200, "\(voided.text)")
            #expect(voided.string("status") == "VOIDED")
            #expect(lastErrorOperation(voided) == "capture")
            try await agrees(stack, voided)
        }
    }

    @Test("a refused void answers 202 (no 200 while still AUTHORIZED) and blocks nothing: a capture then succeeds")
    func refusedVoidThenCapture() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            let id = try await authorized(api)
            try await stack.sandbox.setFaults(FaultPlan(refuse: .init(cancel: 1)))
            let refused = try await api.post("/payments/\(id)/void", json: nil, headers: Self.wait)
            #expect(refused.status == 202, "\(refused.text)")
            #expect(lastErrorOperation(refused) == "void", "\(refused.text)")
            let capture = try await api.post("/payments/\(id)/capture", json: nil)
            #expect(capture.status != 409 || !capture.text.contains("void"), "a failed void blocks nothing: \(capture.text)")
            try await stack.sandbox.setFaults(FaultPlan())
            // The capture asked for above is queued: wait for it, then it is the capture that won.
            let final = try await awaitStatus(api, id, "CAPTURED", timeout: .seconds(20))
            #expect(final.string("status") == "CAPTURED", "\(final.text)")
            try await agrees(stack, final)
        }
    }

    @Test("a refused void, asked again after the refusal, voids; its lastError is cleared by the success")
    func refusedVoidThenVoid() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            let id = try await authorized(api)
            try await stack.sandbox.setFaults(FaultPlan(refuse: .init(cancel: 1)))
            #expect(try await api.post("/payments/\(id)/void", json: nil, headers: Self.wait).status == 202)
            try await stack.sandbox.setFaults(FaultPlan())
            let again = try await api.post("/payments/\(id)/void", json: nil, headers: Self.wait)
            #expect(again.status == 200, "\(again.text)")
            #expect(again.string("status") == "VOIDED")
            #expect(again.json["lastError"] is NSNull, "\(again.text)")
            try await agrees(stack, again)
        }
    }

    @Test("a refused capture, then the capture again, succeeds under the next key; the ledger agrees")
    func refusedCaptureThenCaptureAgain() async throws {
        try await Stack.withService { stack, service in
            let api = stack.client(service)
            let id = try await authorized(api)
            try await stack.sandbox.setFaults(FaultPlan(refuse: .init(capture: 1)))
            #expect(try await api.post("/payments/\(id)/capture", json: #"{"amount":2000}"#, headers: Self.wait).status == 202)
            try await stack.sandbox.setFaults(FaultPlan())
            let again = try await api.post("/payments/\(id)/capture", json: #"{"amount":2000}"#, headers: Self.wait)
            #expect(again.status == 200, "\(again.text)")
            #expect(again.string("status") == "CAPTURED")
            #expect(again.int("amountCaptured") == 2000)
            #expect(again.json["lastError"] is NSNull, "\(again.text)")
            try await agrees(stack, again)
            #expect(service.log().contains("\(id):capture:capture:1"))
        }
    }

    @Test("a refused key (401) fails no payment: they wait, /health/ready and /metrics say so, and all authorize once it is accepted")
    func refusedKeyIsAConfigurationFault() async throws {
        try await Stack.withService(sandbox: SandboxConfiguration(port: 0, faults: FaultPlan(unauthorized: 1))) { stack, service in
            let api = stack.client(service)
            var ids: [String] = []
            for _ in 0..<4 {
                let answer = try await api.post("/payments/authorize", json: authorizeBody(), headers: [])
                #expect(answer.status == 201, "\(answer.text)")
                ids.append(answer.string("paymentId") ?? "")
            }
            try await Task.sleep(for: .seconds(3))
            for id in ids { #expect(try await api.get("/payments/\(id)").string("status") == "REQUESTED") }
            let ready = try await api.get("/health/ready")
            #expect(ready.status == 200)
            #expect(ready.string("processor") == "credentials_refused", "\(ready.text)")
            #expect(try await api.get("/metrics").text.contains("stripe_credentials_refused 1"))
            let refusals = try await stack.sandbox.injected()["unauthorized"] ?? 0
            #expect(refusals < 10, "probes back off: \(refusals) refused calls in 3 s")

            try await stack.sandbox.setFaults(FaultPlan())
            for id in ids {
                let settled = try await awaitStatus(api, id, "AUTHORIZED", timeout: .seconds(20))
                #expect(settled.string("status") == "AUTHORIZED", "\(settled.text)")
                try await agrees(stack, settled)
            }
            #expect(try await api.get("/health/ready").string("processor") == "ok")
            #expect(try await api.get("/metrics").text.contains("stripe_credentials_refused 0"))
        }
    }
}

/// Saved 500s, unreadable answers and a webhook about another refund, against the real gateway.
@Suite("Processor answers that cannot be repeated or read")
struct ProcessorAnswerTests {
    @Test("saved 500s with nothing executed (error_after_noop): every payment still ends right, under new keys")
    func savedFiveHundreds() async throws {
        let faults = FaultPlan(errorAfterNoop: 0.2, seed: 21)
        try await Stack.withService(sandbox: SandboxConfiguration(port: 0, faults: faults)) { stack, service in
            let api = stack.client(service)
            var ids: [String] = []
            for _ in 0..<6 { ids.append(try await authorize(api, body: authorizeBody(amount: 2000))) }
            for id in ids {
                let settled = try await awaitStatus(api, id, "AUTHORIZED", timeout: .seconds(120))
                #expect(settled.string("status") == "AUTHORIZED", "\(settled.text)")
                _ = try await api.post("/payments/\(id)/capture", json: nil)
            }
            for id in ids {
                let captured = try await awaitStatus(api, id, "CAPTURED", timeout: .seconds(120))
                #expect(captured.string("status") == "CAPTURED", "\(captured.text)")
                try await ProcessorRefusalTests().agrees(stack, captured)
            }
            #expect((try await stack.sandbox.injected()["error_after_noop"] ?? 0) > 0)
            // At least one call moved to a numbered key after its saved 500.
            let log = service.log()
            #expect([":authorize:confirm:1", ":capture:capture:1", ":authorize:create:1"].contains { log.contains($0) })
        }
    }

    @Test("answers lacking status (unreadable_2xx) never fail a payment, and never make an intent per retry")
    func unreadableAnswers() async throws {
        let faults = FaultPlan(unreadable2xx: 0.5, seed: 22)
        try await Stack.withService(sandbox: SandboxConfiguration(port: 0, faults: faults)) { stack, service in
            let api = stack.client(service)
            var ids: [String] = []
            for _ in 0..<6 { ids.append(try await authorize(api, body: authorizeBody(amount: 2000))) }
            let ledger = { try await stack.ledgerIntents() }
            for id in ids {
                let settled = try await awaitStatus(api, id, "AUTHORIZED", timeout: .seconds(60))
                #expect(settled.string("status") == "AUTHORIZED", "\(settled.text)")
                #expect((try await ledger()[id] ?? []).count == 1, "one intent per payment")
                try await ProcessorRefusalTests().agrees(stack, settled)
            }
            #expect((try await stack.sandbox.injected()["unreadable_2xx"] ?? 0) > 0)
        }
    }

    @Test("a webhook about a refund whose watch ended is read back even while another refund's operation is queued")
    func webhookAboutAnotherRefund() async throws {
        try await Stack.withService(webhooks: true) { stack, service in
            let api = stack.client(service)
            let id = try await authorize(api, body: authorizeBody(amount: 5000, capture: "automatic"))
            _ = try await awaitStatus(api, id, "CAPTURED", timeout: .seconds(20))
            let first = try await api.post("/payments/\(id)/refunds", json: #"{"amount":1000}"#, headers: [("Prefer", "wait=5")])
            #expect(first.string("status") == "PROCESSED", "\(first.text)")
            let r1 = first.string("refundId") ?? ""
            // R1's watch has ended (as after its last read-back, 30 s later); R2's operation is queued.
            _ = try await stack.database.column("UPDATE operations SET status = 'done' WHERE refund_id = \(r1) RETURNING id")
            let second = try await api.post("/payments/\(id)/refunds", json: #"{"amount":500}"#, headers: [("Prefer", "wait=5")])
            #expect(second.string("status") == "PROCESSED", "\(second.text)")
            let r2 = second.string("refundId") ?? ""
            #expect(try await stack.database.scalar("SELECT count(*) FROM operations WHERE refund_id = \(r2) AND status = 'queued'") == "1")

            let reference = try #require(try await stack.database.scalar("SELECT processor_reference FROM refunds WHERE id = \(r1)"))
            try await stack.sandbox.failRefund(reference)
            let deadline = ContinuousClock.now + .seconds(15)
            var refund = try await api.get("/refunds/\(r1)")
            while refund.string("status") != "FAILED", ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                refund = try await api.get("/refunds/\(r1)")
            }
            #expect(refund.string("status") == "FAILED", "\(refund.text)")
            let payment = try await awaitRefunded(api, id, 500, timeout: .seconds(10))
            #expect(payment.int("amountRefunded") == 500, "\(payment.text)")
        }
    }
}

/// One operation, one runner, with calls far longer than the lease: `WORKER_LEASE=2`, a sandbox answering
/// after 3 s and dropping a third of the connections after executing, and a client rate limit that keeps
/// calls waiting for tens of seconds (the reported run: a slow processor, a tight limit, many runners).
@Suite("Stalls past the lease")
struct LeaseStallTests {
    @Test("calls and waits past WORKER_LEASE: one intent and one confirmation per payment, no own key refused")
    func stallsPastTheLease() async throws {
        let faults = FaultPlan(dropAfter: 0.3, latencyMs: [3000, 3000], seed: 23)
        let extra = ["WORKER_LEASE": "2", "STRIPE_MAX_RPS": "1", "WORKER_CONCURRENCY": "32"]
        try await Stack.withService(sandbox: SandboxConfiguration(port: 0, faults: faults), extra: extra) { stack, service in
            let api = stack.client(service)
            var ids: [String] = []
            for _ in 0..<14 {
                let answer = try await api.post("/payments/authorize", json: authorizeBody(amount: 2000), headers: [])
                ids.append(answer.string("paymentId") ?? "")
            }
            let ledger = { try await stack.ledgerIntents() }
            for id in ids {
                let settled = try await awaitStatus(api, id, "AUTHORIZED", timeout: .seconds(120))
                #expect(settled.string("status") == "AUTHORIZED", "\(settled.text)")
                let intents = try await ledger()[id] ?? []
                #expect(intents.count == 1, "\(id): \(intents.map { $0["id"] ?? "" })")
                try await ProcessorRefusalTests().agrees(stack, settled)
            }
            let log = service.log()
            #expect(!log.contains("idempotency_error"))
            // Claims beyond the first come only from retries after dropped answers, never from a lease lost mid-call.
            #expect(!log.contains("lease taken over"))
        }
    }
}
