import Foundation
import StripeGateway
import Testing
import TestSupport

/// The list calls reconciliation walks, against the sandbox over HTTP: `created[gte]`, pages joined by
/// `starting_after`, the page cap that makes a walk incomplete, and the intents' charges expanded.
@Suite("StripeClient list calls against the sandbox")
struct StripeClientListTests {
    @Test("a walk over small pages finds every intent created since the start, each once, charges expanded")
    func walkIntents() async throws {
        try await SandboxClient.run { s in
            var ids: [String] = []
            for _ in 0..<5 {
                let intent = try await s.createIntent()
                _ = try await s.client.confirmPaymentIntent(id: intent.id, paymentMethod: "pm_card_visa", idempotencyKey: SandboxClient.key("confirm")).value()
                ids.append(intent.id)
            }
            let since = Int(Date().timeIntervalSince1970) - 60
            let walked = await ListWalk(pageSize: 2).all(id: { $0.id }) { after, limit in
                await s.client.listPaymentIntents(createdSince: since, startingAfter: after, limit: limit)
            }
            let intents = try walked.value()
            #expect(intents.map(\.id).sorted() == ids.sorted())
            #expect(intents.allSatisfy { $0.charge != nil })
            let later = await s.client.listPaymentIntents(createdSince: since + 3600, startingAfter: nil, limit: 10)
            #expect(try later.value().data.isEmpty)
        }
    }

    @Test("more pages than the cap is an unknown outcome, never a partial list")
    func truncated() async throws {
        try await SandboxClient.run { s in
            for _ in 0..<3 { _ = try await s.createIntent() }
            let walked = await ListWalk(pageSize: 1, maxPages: 2).all(id: { $0.id }) { after, limit in
                await s.client.listPaymentIntents(createdSince: 0, startingAfter: after, limit: limit)
            }
            guard case .unknown(let failure) = walked else { Issue.record("a truncated walk answered \(walked)"); return }
            #expect(failure.code == ListWalk.truncated)
        }
    }

    @Test("refunds and disputes list by creation time too")
    func refundsAndDisputes() async throws {
        try await SandboxClient.run { s in
            let intent = try await s.createIntent(capture: "automatic")
            _ = try await s.client.confirmPaymentIntent(id: intent.id, paymentMethod: "pm_card_visa", idempotencyKey: SandboxClient.key("confirm")).value()
            _ = try await s.client.createRefund(
                CreateRefundParams(paymentIntent: intent.id, amount: 500, reason: nil, metadata: ["refund_id": "r-1"]),
                idempotencyKey: SandboxClient.key("refund")).value()
            let refunds = try await s.client.listRefunds(createdSince: 0, startingAfter: nil, limit: 10).value()
            #expect(refunds.data.map(\.paymentIntent) == [intent.id])
            #expect(try await s.client.listDisputes(createdSince: 0, startingAfter: nil, limit: 10).value().data.isEmpty)
        }
    }
}
