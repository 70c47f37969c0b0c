import Foundation
import StripeGateway
import StripeSandbox
import Testing
import TestSupport

/// How the client classifies the sandbox's injected faults (contract.md, `/_sandbox/faults`).
@Suite struct StripeClientFaultTests {
    @Test func a500AfterExecutingIsUnknownAndReplaysUnderItsKey() async throws {
        try await SandboxClient.run { stripe in
            let created = try await stripe.createIntent()
            let key = SandboxClient.key("confirm")
            try await stripe.sandbox.setFaults(FaultPlan(errorAfter: 1))
            let first = await stripe.client.confirmPaymentIntent(id: created.id, paymentMethod: "pm_card_visa", idempotencyKey: key)
            guard case .unknown(let failure) = first else { Issue.record("got \(first)"); return }
            #expect(failure.httpStatus == 500)
            #expect(failure.requestId != nil)

            try await stripe.sandbox.setFaults(FaultPlan())
            let replay = await stripe.client.confirmPaymentIntent(id: created.id, paymentMethod: "pm_card_visa", idempotencyKey: key)
            #expect(replay.outcomeName == "unknown")
            // Reading back settles it: the confirm did execute.
            #expect(try await stripe.client.retrievePaymentIntent(id: created.id).value().status == .requiresCapture)
        }
    }

    @Test func a500BeforeExecutingIsUnknownAndTheKeyStaysFree() async throws {
        try await SandboxClient.run { stripe in
            let created = try await stripe.createIntent()
            let key = SandboxClient.key("confirm")
            try await stripe.sandbox.setFaults(FaultPlan(errorBefore: 1))
            #expect(await stripe.client.confirmPaymentIntent(id: created.id, paymentMethod: "pm_card_visa", idempotencyKey: key).outcomeName == "unknown")
            try await stripe.sandbox.setFaults(FaultPlan())
            #expect(try await stripe.client.retrievePaymentIntent(id: created.id).value().status == .requiresPaymentMethod)
            let retried = try await stripe.client.confirmPaymentIntent(id: created.id, paymentMethod: "pm_card_visa", idempotencyKey: key).value()
            #expect(retried.status == .requiresCapture)
        }
    }

    @Test(arguments: [FaultPlan(dropBefore: 1), FaultPlan(dropAfter: 1)])
    func aDroppedConnectionAfterSendingIsUnknown(_ plan: FaultPlan) async throws {
        try await SandboxClient.run { stripe in
            let created = try await stripe.createIntent()
            try await stripe.sandbox.setFaults(plan)
            let result = await stripe.client.confirmPaymentIntent(id: created.id, paymentMethod: "pm_card_visa", idempotencyKey: SandboxClient.key("confirm"))
            guard case .unknown(let failure) = result else { Issue.record("got \(result)"); return }
            #expect(failure.httpStatus == nil)
            try await stripe.sandbox.setFaults(FaultPlan())
            let readBack = try await stripe.client.retrievePaymentIntent(id: created.id).value()
            #expect(readBack.status == (plan.dropAfter > 0 ? .requiresCapture : .requiresPaymentMethod))
        }
    }

    @Test func rateLimitedCallsAreRetryable() async throws {
        try await SandboxClient.run { stripe in
            let created = try await stripe.createIntent()
            try await stripe.sandbox.setFaults(FaultPlan(rateLimitRps: 1))
            var outcomes: [String] = []
            for _ in 0..<4 {
                outcomes.append(await stripe.client.retrievePaymentIntent(id: created.id).outcomeName)
            }
            #expect(outcomes.first == "success")
            #expect(outcomes.contains("retryable"))
            #expect(Set(outcomes).isSubset(of: ["success", "retryable"]))
        }
    }
}
