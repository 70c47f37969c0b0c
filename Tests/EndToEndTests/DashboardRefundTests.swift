import Foundation
import Testing
import TestSupport

/// A refund made in the processor's dashboard is recorded as it happens, through the sync its webhooks prompt.
@Suite("After the hold: refunds made elsewhere")
struct DashboardRefundTests {
    @Test("a dashboard refund is recorded with its events and counts against what is left to refund; a redelivery adds nothing")
    func recorded() async throws {
        try await Stack.withService(webhooks: true) { stack, service in
            let api = stack.client(service)
            let payment = try await api.post(
                "/payments/authorize", json: authorizeBody(amount: 5000, paymentMethod: "pm_card_visa", capture: "automatic"),
                headers: [("Prefer", "wait=5")])
            let id = try #require(payment.string("paymentId"))
            let intent = try #require(payment.string("processorReference"))
            let made = try await stack.sandbox.dashboardRefund(intent, amount: 1200)
            #expect(made.status == 200, "\(made.json)")
            let deadline = ContinuousClock.now + .seconds(20)
            var current = try await api.get("/payments/\(id)")
            while current.json["amountRefunded"] as? Int != 1200, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(250))
                current = try await api.get("/payments/\(id)")
            }
            #expect(current.json["amountRefunded"] as? Int == 1200, "\(current.text)")
            let refunds = try await api.get("/payments/\(id)/refunds").json["refunds"] as? [[String: Any]] ?? []
            #expect(refunds.count == 1 && refunds.first?["status"] as? String == "PROCESSED", "\(refunds)")
            #expect(refunds.first?["processorReference"] as? String == made.json["id"] as? String)
            let feed = try await api.get("/events?limit=1000")
            #expect(try EventSchemaCheck.run(feed: feed.body).status == 0)
            let types = (feed.json["events"] as? [[String: Any]] ?? [])
                .filter { ($0["data"] as? [String: Any])?["paymentId"] as? String == id }.compactMap { $0["type"] as? String }
            #expect(types == ["payment-requested", "payment-succeeded", "payment-captured", "refund-requested", "refund-processed"], "\(types)")
            let rest = try await api.post("/payments/\(id)/refunds", json: #"{"amount":3801}"#)
            #expect(rest.status == 409, "more than is left: \(rest.text)")
            // A second dashboard refund and a sync of the first again record only the second.
            _ = try await stack.sandbox.dashboardRefund(intent, amount: 300)
            try await Task.sleep(for: .seconds(3))
            let after = try await api.get("/payments/\(id)/refunds").json["refunds"] as? [[String: Any]] ?? []
            let total = try await api.get("/payments/\(id)").json["amountRefunded"] as? Int
            #expect(after.count == 2 && total == 1500, "\(after)")
        }
    }
}
