import Foundation
@testable import StripeGateway
import Testing
import TestSupport

/// The real client over HTTP against the Stripe sandbox: every call as `stripe.md` describes it.
@Suite struct StripeClientSandboxTests {
    struct Card: Sendable, CustomTestStringConvertible {
        var paymentMethod: String
        /// nil: the confirm succeeds.
        var code: String?
        var declineCode: String?
        var testDescription: String { paymentMethod }
    }

    static let cards: [Card] = [
        Card(paymentMethod: "pm_card_visa"),
        Card(paymentMethod: "pm_card_mastercard"),
        Card(paymentMethod: "pm_card_amex"),
        Card(paymentMethod: "pm_card_visa_chargeDeclined", code: "card_declined", declineCode: "generic_decline"),
        Card(paymentMethod: "pm_card_chargeDeclined", code: "card_declined", declineCode: "generic_decline"),
        Card(paymentMethod: "pm_card_visa_chargeDeclinedInsufficientFunds", code: "card_declined", declineCode: "insufficient_funds"),
        Card(paymentMethod: "pm_card_chargeDeclinedInsufficientFunds", code: "card_declined", declineCode: "insufficient_funds"),
        Card(paymentMethod: "pm_card_visa_chargeDeclinedLostCard", code: "card_declined", declineCode: "lost_card"),
        Card(paymentMethod: "pm_card_visa_chargeDeclinedStolenCard", code: "card_declined", declineCode: "stolen_card"),
        Card(paymentMethod: "pm_card_chargeDeclinedExpiredCard", code: "expired_card"),
        Card(paymentMethod: "pm_card_chargeDeclinedIncorrectCvc", code: "incorrect_cvc"),
        Card(paymentMethod: "pm_card_chargeDeclinedProcessingError", code: "processing_error"),
        Card(paymentMethod: "pm_card_chargeDeclinedFraudulent", code: "card_declined", declineCode: "fraudulent"),
        Card(paymentMethod: "pm_card_authenticationRequired", code: "authentication_required"),
    ]

    @Test(arguments: cards)
    func confirmWithEachTestCard(_ card: Card) async throws {
        try await SandboxClient.run { stripe in
            let created = try await stripe.createIntent()
            #expect(created.status == .requiresPaymentMethod)
            #expect(created.currency == "usd")
            #expect(created.captureMethod == "manual")
            let result = await stripe.client.confirmPaymentIntent(
                id: created.id, paymentMethod: card.paymentMethod, idempotencyKey: SandboxClient.key("confirm")
            )
            switch (card.code, result) {
            case (nil, .success(let intent)):
                #expect(intent.status == .requiresCapture)
                #expect(intent.amountCapturable == 2000)
            case (let code?, .declined(let error, let intent)):
                #expect(error.type == "card_error")
                #expect(error.code == code)
                if let declineCode = card.declineCode {
                    #expect(error.declineCode == declineCode)
                }
                #expect(intent?.id == created.id)
                #expect(intent?.status == .requiresPaymentMethod)
                #expect(intent?.lastPaymentError?.code == code)
            default:
                Issue.record("\(card.paymentMethod): unexpected \(result)")
            }
        }
    }

    @Test func unknownPaymentMethodIsRejected() async throws {
        try await SandboxClient.run { stripe in
            let created = try await stripe.createIntent()
            let result = await stripe.client.confirmPaymentIntent(id: created.id, paymentMethod: "pm_nope", idempotencyKey: SandboxClient.key("c"))
            guard case .rejected(let status, let error) = result else { Issue.record("got \(result)"); return }
            #expect(status == 400)
            #expect(error.code == "resource_missing")
            #expect(error.param == "payment_method")
        }
    }

    @Test func replaysAnswerTheSameAndMoveMoneyOnce() async throws {
        try await SandboxClient.run { stripe in
            let paymentId = UUID().uuidString
            let createKey = SandboxClient.key("create")
            let params = CreatePaymentIntentParams(amount: 2500, currency: "eur", captureMethod: "manual", metadata: ["payment_id": paymentId])
            let first = try await stripe.client.createPaymentIntent(params, idempotencyKey: createKey).value()
            let again = try await stripe.client.createPaymentIntent(params, idempotencyKey: createKey).value()
            #expect(again == first)

            let confirmKey = SandboxClient.key("confirm")
            let confirmed = try await stripe.client.confirmPaymentIntent(id: first.id, paymentMethod: "pm_card_visa", idempotencyKey: confirmKey).value()
            let replayed = try await stripe.client.confirmPaymentIntent(id: first.id, paymentMethod: "pm_card_visa", idempotencyKey: confirmKey).value()
            #expect(replayed == confirmed)

            let raw = try await stripe.rawPost(
                "/v1/payment_intents/\(first.id)/confirm", form: "expand[]=latest_charge&expand[]=latest_charge.review&off_session=true&payment_method=pm_card_visa",
                key: confirmKey
            )
            #expect(raw.status == 200)
            #expect(raw.headers["idempotent-replayed"] == "true")
            #expect(raw.headers["request-id"] != nil)

            let ledger = try await stripe.sandbox.ledger()
            let intents = ledger["payment_intents"] as? [[String: Any]] ?? []
            #expect(intents.count == 1)
            #expect(intents.first?["confirmations"] as? Int == 1)
        }
    }

    @Test func aSavedDeclineIsReplayed() async throws {
        try await SandboxClient.run { stripe in
            let created = try await stripe.createIntent()
            let key = SandboxClient.key("confirm")
            let first = await stripe.client.confirmPaymentIntent(id: created.id, paymentMethod: "pm_card_chargeDeclined", idempotencyKey: key)
            // Same key, same parameters: Stripe replays the saved 402 rather than trying again.
            let second = await stripe.client.confirmPaymentIntent(id: created.id, paymentMethod: "pm_card_chargeDeclined", idempotencyKey: key)
            guard case .declined(let error, _) = first, case .declined(let replayed, _) = second else {
                Issue.record("got \(first) then \(second)"); return
            }
            #expect(replayed == error)
        }
    }

    @Test func changedParametersUnderTheSameKeyAreRejected() async throws {
        try await SandboxClient.run { stripe in
            let key = SandboxClient.key("create")
            let params = CreatePaymentIntentParams(amount: 1000, currency: "usd", captureMethod: "manual", metadata: ["payment_id": "p"])
            _ = try await stripe.client.createPaymentIntent(params, idempotencyKey: key).value()
            var changed = params
            changed.amount = 1001
            let result = await stripe.client.createPaymentIntent(changed, idempotencyKey: key)
            // Every key is derived by the service: another request under one is an unknown outcome (read back).
            guard case .unknown(let failure) = result else { Issue.record("got \(result)"); return }
            #expect(failure.httpStatus == 400)
            #expect(failure.code == "idempotency_error")

            let intent = try await stripe.createIntent()
            let confirmKey = SandboxClient.key("confirm")
            _ = try await stripe.client.confirmPaymentIntent(id: intent.id, paymentMethod: "pm_card_visa", idempotencyKey: confirmKey).value()
            let other = await stripe.client.confirmPaymentIntent(id: intent.id, paymentMethod: "pm_card_mastercard", idempotencyKey: confirmKey)
            guard case .unknown(let otherError) = other else { Issue.record("got \(other)"); return }
            #expect(otherError.code == "idempotency_error")
        }
    }

    @Test("listing an intent's refunds follows has_more across pages")
    func refundListFollowsPages() async throws {
        try await SandboxClient.run { stripe in
            let created = try await stripe.createIntent(amount: 2000)
            _ = try await stripe.client.confirmPaymentIntent(id: created.id, paymentMethod: "pm_card_visa", idempotencyKey: SandboxClient.key("confirm")).value()
            _ = try await stripe.client.capturePaymentIntent(id: created.id, amountToCapture: nil, idempotencyKey: SandboxClient.key("capture")).value()
            var made: [String] = []
            for _ in 0..<5 {
                let refund = try await stripe.client.createRefund(
                    CreateRefundParams(paymentIntent: created.id, amount: 100, reason: nil, metadata: [:]), idempotencyKey: SandboxClient.key("refund")
                ).value()
                made.append(refund.id)
            }
            let listed = try await stripe.client.listRefunds(paymentIntent: created.id, pageSize: 2).value()
            #expect(listed.map(\.id) == made.reversed())
            let cut = await stripe.client.listRefunds(paymentIntent: created.id, pageSize: 2, maxPages: 2)
            guard case .unknown = cut else { Issue.record("a list longer than its page budget must not pass as whole: \(cut)"); return }
        }
    }

    @Test func captureThenRefundThenReadBack() async throws {
        try await SandboxClient.run { stripe in
            let created = try await stripe.createIntent(amount: 2000)
            _ = try await stripe.client.confirmPaymentIntent(id: created.id, paymentMethod: "pm_card_visa", idempotencyKey: SandboxClient.key("confirm")).value()
            let captured = try await stripe.client.capturePaymentIntent(id: created.id, amountToCapture: 1500, idempotencyKey: SandboxClient.key("capture")).value()
            #expect(captured.status == .succeeded)
            #expect(captured.amountReceived == 1500)
            #expect(captured.latestCharge?.hasPrefix("ch_") == true)

            let refund = try await stripe.client.createRefund(
                CreateRefundParams(paymentIntent: created.id, amount: 500, reason: "requested_by_customer", metadata: ["refund_id": "r-1"]),
                idempotencyKey: SandboxClient.key("refund")
            ).value()
            #expect(refund.status == .succeeded)
            #expect(refund.amount == 500)
            #expect(refund.paymentIntent == created.id)
            #expect(try await stripe.client.retrieveRefund(id: refund.id).value() == refund)
            let listed = try await stripe.client.listRefunds(paymentIntent: created.id).value()
            #expect(listed.map(\.id) == [refund.id])
            #expect(listed.first?.metadata["refund_id"] == "r-1")

            let tooMuch = await stripe.client.createRefund(
                CreateRefundParams(paymentIntent: created.id, amount: 1001, reason: nil, metadata: [:]), idempotencyKey: SandboxClient.key("refund")
            )
            guard case .rejected(400, let error) = tooMuch else { Issue.record("got \(tooMuch)"); return }
            #expect(error.type == "invalid_request_error")

            let cancel = await stripe.client.cancelPaymentIntent(id: created.id, idempotencyKey: SandboxClient.key("cancel"))
            guard case .rejected(400, _) = cancel else { Issue.record("cancel after capture: \(cancel)"); return }
            #expect(try await stripe.client.retrievePaymentIntent(id: created.id).value().status == .succeeded)
        }
    }

    @Test func cancelReleasesTheHold() async throws {
        try await SandboxClient.run { stripe in
            let created = try await stripe.createIntent()
            _ = try await stripe.client.confirmPaymentIntent(id: created.id, paymentMethod: "pm_card_visa", idempotencyKey: SandboxClient.key("confirm")).value()
            let canceled = try await stripe.client.cancelPaymentIntent(id: created.id, idempotencyKey: SandboxClient.key("cancel")).value()
            #expect(canceled.status == .canceled)
            #expect(canceled.amountCapturable == 0)
        }
    }

    @Test func automaticCaptureChargesOnConfirm() async throws {
        try await SandboxClient.run { stripe in
            let created = try await stripe.createIntent(amount: 1200, capture: "automatic")
            let confirmed = try await stripe.client.confirmPaymentIntent(id: created.id, paymentMethod: "pm_card_visa", idempotencyKey: SandboxClient.key("confirm")).value()
            #expect(confirmed.status == .succeeded)
            #expect(confirmed.amountReceived == 1200)
        }
    }

    @Test func searchFindsTheIntentByMetadata() async throws {
        try await SandboxClient.run { stripe in
            let paymentId = UUID().uuidString
            let created = try await stripe.createIntent(paymentId: paymentId)
            _ = try await stripe.createIntent()
            let found = try await stripe.client.searchPaymentIntents(metadataKey: "payment_id", value: paymentId).value()
            #expect(found.map(\.id) == [created.id])
            let none = try await stripe.client.searchPaymentIntents(metadataKey: "payment_id", value: "absent").value()
            #expect(none.isEmpty)
        }
    }

    @Test func refusalsAreRejected() async throws {
        try await SandboxClient.run { stripe in
            let small = await stripe.client.createPaymentIntent(
                CreatePaymentIntentParams(amount: 49, currency: "usd", captureMethod: "manual", metadata: [:]), idempotencyKey: SandboxClient.key("c")
            )
            guard case .rejected(400, let error) = small else { Issue.record("got \(small)"); return }
            #expect(error.code == "amount_too_small")

            let missing = await stripe.client.retrievePaymentIntent(id: "pi_missing")
            guard case .rejected(404, let notFound) = missing else { Issue.record("got \(missing)"); return }
            #expect(notFound.code == "resource_missing")

            let badKey = StripeClient(
                configuration: StripeConfiguration(secretKey: "sk_live_wrong", apiBase: stripe.sandbox.baseURL), http: stripe.http,
                logger: .init(label: "quiet")
            )
            let unauthorized = await badKey.retrievePaymentIntent(id: "pi_missing")
            guard case .retryable(let refused) = unauthorized, refused.httpStatus == 401 else { Issue.record("got \(unauthorized)"); return }
            #expect(badKey.credentials.isRefused)
        }
    }

    @Test func aRefundCanFailAfterSucceeding() async throws {
        try await SandboxClient.run { stripe in
            let created = try await stripe.createIntent(capture: "automatic")
            _ = try await stripe.client.confirmPaymentIntent(id: created.id, paymentMethod: "pm_card_refundFail", idempotencyKey: SandboxClient.key("confirm")).value()
            let refund = try await stripe.client.createRefund(
                CreateRefundParams(paymentIntent: created.id, amount: nil, reason: nil, metadata: [:]), idempotencyKey: SandboxClient.key("refund")
            ).value()
            #expect(refund.status == .succeeded)
            #expect(refund.amount == 2000)
            var status = refund.status
            for _ in 0..<50 where status != .failed {
                try await Task.sleep(for: .milliseconds(100))
                status = try await stripe.client.retrieveRefund(id: refund.id).value().status
            }
            #expect(status == .failed)
        }
    }
}
