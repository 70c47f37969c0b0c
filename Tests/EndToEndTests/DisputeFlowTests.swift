import Foundation
import Testing
import TestSupport

/// A dispute's whole life, driven from the sandbox through the real binary and its webhooks: recorded from the
/// processor's read-back, with `amountDisputed`, the events once each, and the refund rules.
@Suite("After the hold: disputes")
struct DisputeFlowTests {
    static let wait = [("Prefer", "wait=5")]

    static func captured(_ api: APIClient, card: String = "pm_card_createDispute") async throws -> APIClient.Answer {
        let answer = try await api.post(
            "/payments/authorize", json: authorizeBody(amount: 5000, paymentMethod: card, capture: "automatic"), headers: wait)
        #expect(answer.string("status") == "CAPTURED", "\(answer.text)")
        return answer
    }

    /// The payment's disputes once the first stands at `status` (they open a second after capture).
    static func awaitDispute(_ api: APIClient, _ paymentId: String, _ status: String) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let list = try await api.get("/payments/\(paymentId)/disputes")
            if let first = (list.json["disputes"] as? [[String: Any]])?.first, first["status"] as? String == status { return first }
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record("no dispute \(status) for \(paymentId): \(try await api.get("/payments/\(paymentId)/disputes").text)")
        return [:]
    }

    static func events(_ api: APIClient, of paymentId: String) async throws -> [[String: Any]] {
        let feed = try await api.get("/events?limit=1000")
        let check = try EventSchemaCheck.run(feed: feed.body)
        #expect(check.status == 0, "\(check.output)")
        let events = feed.json["events"] as? [[String: Any]] ?? []
        return events.filter { ($0["data"] as? [String: Any])?["paymentId"] as? String == paymentId }
    }

    static func types(_ events: [[String: Any]]) -> [String] { events.compactMap { $0["type"] as? String } }

    @Test("opened, refused refunds, under review, won: amountDisputed back to 0, each event once with the outcome read back, refunds allowed again")
    func won() async throws {
        try await Stack.withService(webhooks: true) { stack, service in
            let api = stack.client(service)
            let id = try #require(try await Self.captured(api).string("paymentId"))
            let opened = try await Self.awaitDispute(api, id, "needs_response")
            let disputeId = try #require(opened["disputeId"] as? String)
            let reference = try #require(opened["processorReference"] as? String)
            #expect(opened["isChargeRefundable"] as? Bool == false && opened["amount"] as? Int == 5000, "\(opened)")
            #expect(opened["evidenceDueBy"] is String, "\(opened)")
            #expect(try await api.get("/disputes/\(disputeId)").string("processorReference") == reference)
            #expect(try await api.get("/payments/\(id)").json["amountDisputed"] as? Int == 5000)

            let refused = try await api.post("/payments/\(id)/refunds", json: #"{"amount":100}"#)
            #expect(refused.status == 409 && refused.text.contains(reference), "\(refused.status) \(refused.text)")
            #expect(try await api.get("/payments/\(id)/refunds").text == #"{"refunds":[]}"#, "the refused refund left a row")

            #expect(try await stack.sandbox.setDisputeStatus(reference, "under_review").status == 200)
            _ = try await Self.awaitDispute(api, id, "under_review")
            #expect(try await stack.sandbox.setDisputeStatus(reference, "won").status == 200)
            _ = try await Self.awaitDispute(api, id, "won")
            let deadline = ContinuousClock.now + .seconds(10)
            var events = try await Self.events(api, of: id)
            while !Self.types(events).contains("dispute-funds-reinstated"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(250))
                events = try await Self.events(api, of: id)
            }
            #expect(Self.types(events) == [
                "payment-requested", "payment-succeeded", "payment-captured", "payment-disputed", "dispute-funds-withdrawn",
                "dispute-closed", "dispute-funds-reinstated",
            ])
            let closed = events.first { $0["type"] as? String == "dispute-closed" }?["data"] as? [String: Any]
            #expect(closed?["outcome"] as? String == "won" && closed?["disputeId"] as? String == disputeId, "\(String(describing: closed))")
            #expect(try await api.get("/payments/\(id)").json["amountDisputed"] as? Int == 0)
            let refund = try await api.post("/payments/\(id)/refunds", json: #"{"amount":100}"#, headers: Self.wait)
            #expect([200, 201].contains(refund.status), "\(refund.status) \(refund.text)")
        }
    }

    @Test("lost: the amount stays disputed and is no longer refundable")
    func lost() async throws {
        try await Stack.withService(webhooks: true) { stack, service in
            let api = stack.client(service)
            let id = try #require(try await Self.captured(api).string("paymentId"))
            let reference = try #require(try await Self.awaitDispute(api, id, "needs_response")["processorReference"] as? String)
            #expect(try await stack.sandbox.setDisputeStatus(reference, "lost").status == 200)
            _ = try await Self.awaitDispute(api, id, "lost")
            #expect(try await api.get("/payments/\(id)").json["amountDisputed"] as? Int == 5000)
            let refund = try await api.post("/payments/\(id)/refunds", json: #"{"amount":100}"#)
            #expect(refund.status == 409, "\(refund.status) \(refund.text)")
            let closed = try await Self.events(api, of: id).first { $0["type"] as? String == "dispute-closed" }?["data"] as? [String: Any]
            #expect(closed?["outcome"] as? String == "lost", "\(String(describing: closed))")
        }
    }

    @Test("an inquiry (warning_needs_response) takes no funds and leaves the charge refundable")
    func inquiry() async throws {
        try await Stack.withService(webhooks: true) { stack, service in
            let api = stack.client(service)
            let id = try #require(try await Self.captured(api, card: "pm_card_createDisputeInquiry").string("paymentId"))
            let inquiry = try await Self.awaitDispute(api, id, "warning_needs_response")
            #expect(inquiry["isChargeRefundable"] as? Bool == true, "\(inquiry)")
            let refund = try await api.post("/payments/\(id)/refunds", json: #"{"amount":100}"#, headers: Self.wait)
            #expect([200, 201].contains(refund.status), "\(refund.status) \(refund.text)")
            let types = Self.types(try await Self.events(api, of: id))
            #expect(types.contains("payment-disputed") && !types.contains("dispute-funds-withdrawn"), "\(types)")
        }
    }
}
