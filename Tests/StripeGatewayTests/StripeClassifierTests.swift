import Testing
@testable import StripeGateway

@Suite struct StripeClassifierTests {
    typealias Result = StripeResult<StripePaymentIntent>

    private func classify(_ status: Int, _ body: String, headers: [String: String] = [:]) -> Result {
        StripeClassifier.classify(status: status, headers: headers, body: Array(body.utf8))
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var status: Int
        var body: String
        var headers: [String: String] = [:]
        var outcome: String
        var testDescription: String { name }
    }

    static let table: [Row] = [
        Row(name: "200 intent", status: 200, body: StripeJSON.intent(), outcome: "success"),
        Row(name: "200 unparseable", status: 200, body: "<html>", outcome: "unknown"),
        Row(name: "200 wrong shape", status: 200, body: #"{"id":"pi_1"}"#, outcome: "unknown"),
        Row(name: "402 card_error", status: 402, body: StripeJSON.error(type: "card_error", code: "card_declined"), outcome: "declined"),
        Row(name: "402 not a card error", status: 402, body: StripeJSON.error(type: "invalid_request_error"), outcome: "rejected"),
        Row(name: "409 key in use", status: 409, body: StripeJSON.error(type: "idempotency_error", code: "idempotency_key_in_use"), outcome: "retryable"),
        Row(name: "429", status: 429, body: StripeJSON.error(type: "invalid_request_error", code: "rate_limit"), outcome: "retryable"),
        Row(name: "429 lock_timeout", status: 429, body: StripeJSON.error(type: "invalid_request_error", code: "lock_timeout"), outcome: "retryable"),
        Row(name: "400 invalid request", status: 400, body: StripeJSON.error(type: "invalid_request_error", code: "amount_too_small"), outcome: "rejected"),
        // Our keys are derived: another request under one of them means only a read-back can tell what happened.
        Row(name: "400 idempotency_error", status: 400, body: StripeJSON.error(type: "idempotency_error"), outcome: "unknown"),
        // The key was refused before anything executed: a configuration fault, repeated once accepted again.
        Row(name: "401", status: 401, body: StripeJSON.error(type: "invalid_request_error"), outcome: "retryable"),
        Row(name: "403", status: 403, body: StripeJSON.error(type: "invalid_request_error"), outcome: "retryable"),
        Row(name: "404", status: 404, body: StripeJSON.error(type: "invalid_request_error", code: "resource_missing"), outcome: "rejected"),
        Row(name: "404 not from Stripe", status: 404, body: "<html>not found</html>", outcome: "rejected"),
        Row(name: "424 external dependency failed", status: 424, body: StripeJSON.error(type: "api_error"), outcome: "unknown"),
        Row(name: "424 no body", status: 424, body: "", outcome: "unknown"),
        Row(name: "500", status: 500, body: StripeJSON.error(type: "api_error"), outcome: "unknown"),
        Row(name: "502 no body", status: 502, body: "", outcome: "unknown"),
        Row(name: "503", status: 503, body: "", outcome: "unknown"),
        Row(name: "504", status: 504, body: "", outcome: "unknown"),
        Row(name: "302", status: 302, body: "", outcome: "unknown"),
        Row(name: "should-retry true on 500", status: 500, body: "", headers: ["stripe-should-retry": "true"], outcome: "retryable"),
        Row(name: "should-retry true on 400", status: 400, body: StripeJSON.error(type: "invalid_request_error"), headers: ["stripe-should-retry": "true"], outcome: "retryable"),
        Row(name: "should-retry false on 500", status: 500, body: "", headers: ["stripe-should-retry": "false"], outcome: "unknown"),
        Row(name: "should-retry false on 409", status: 409, body: "", headers: ["stripe-should-retry": "false"], outcome: "unknown"),
        Row(name: "should-retry false on 429", status: 429, body: "", headers: ["stripe-should-retry": "false"], outcome: "unknown"),
        Row(name: "should-retry false on 400", status: 400, body: StripeJSON.error(type: "invalid_request_error"), headers: ["stripe-should-retry": "false"], outcome: "rejected"),
        Row(name: "should-retry false on 402 card_error", status: 402, body: StripeJSON.error(type: "card_error"), headers: ["stripe-should-retry": "false"], outcome: "declined"),
        Row(name: "should-retry true on 2xx is still success", status: 200, body: StripeJSON.intent(), headers: ["stripe-should-retry": "true"], outcome: "success"),
    ]

    @Test(arguments: table)
    func statusTable(_ row: Row) {
        #expect(classify(row.status, row.body, headers: row.headers).outcomeName == row.outcome)
    }

    @Test func transportNotSentIsRetryableAndNoAnswerIsUnknown() {
        let notSent: Result = StripeClassifier.classify(.failure(.notSent(code: "couldnt_connect", message: "refused")))
        let noAnswer: Result = StripeClassifier.classify(.failure(.noAnswer(code: "operation_timedout", message: "slow")))
        guard case .retryable(let failure) = notSent else { Issue.record("got \(notSent)"); return }
        #expect(failure == StripeCallFailure(httpStatus: nil, code: "couldnt_connect", message: "refused"))
        guard case .unknown(let unknown) = noAnswer else { Issue.record("got \(noAnswer)"); return }
        #expect(unknown.code == "operation_timedout")
    }

    @Test func successDecodesTheIntent() {
        guard case .success(let intent) = classify(200, StripeJSON.intent(id: "pi_9", status: "succeeded")) else {
            Issue.record("not a success"); return
        }
        #expect(intent.id == "pi_9")
        #expect(intent.status == .succeeded)
        #expect(intent.metadata == ["payment_id": "p-1"])
        #expect(intent.latestCharge == "ch_1")
    }

    @Test func declineCarriesTheErrorAndTheIntent() {
        let body = StripeJSON.error(
            type: "card_error", code: "card_declined", declineCode: "insufficient_funds",
            intent: StripeJSON.intent(id: "pi_7", status: "requires_payment_method")
        )
        guard case .declined(let error, let intent) = classify(402, body) else { Issue.record("not declined"); return }
        #expect(error.code == "card_declined")
        #expect(error.declineCode == "insufficient_funds")
        #expect(intent?.id == "pi_7")
        #expect(intent?.status == .requiresPaymentMethod)
    }

    @Test func declineWithAnUnreadableIntentStillDeclines() {
        let body = StripeJSON.error(type: "card_error", code: "expired_card", intent: #"{"id":"pi_x"}"#)
        guard case .declined(let error, let intent) = classify(402, body) else { Issue.record("not declined"); return }
        #expect(error.code == "expired_card")
        #expect(intent == nil)
    }

    @Test func rejectionKeepsStatusAndErrorBody() {
        let result = classify(400, StripeJSON.error(type: "invalid_request_error", code: "parameter_invalid_integer"))
        guard case .rejected(let status, let error) = result else { Issue.record("not rejected"); return }
        #expect(status == 400)
        #expect(error.type == "invalid_request_error")
        #expect(error.code == "parameter_invalid_integer")
    }

    @Test("an intent without the amounts no decision needs is readable; one without status is a protocol fault naming it")
    func decodesOnlyWhatDecisionsNeed() {
        let lean = #"{"id":"pi_lean","object":"payment_intent","status":"requires_payment_method","amount":1000,"currency":"usd"}"#
        guard case .success(let intent) = classify(200, lean) else { Issue.record("not readable"); return }
        #expect(intent.id == "pi_lean")
        #expect(intent.amountCapturable == nil)
        #expect(intent.amountReceived == nil)
        guard case .unknown(let failure) = classify(200, #"{"id":"pi_x","amount":1000}"#) else { Issue.record("not unknown"); return }
        #expect(failure.isProtocolFault)
        #expect(failure.message.contains("`status`"), "\(failure.message)")
    }

    @Test("401 and 403 are credentials_refused, never a decline; a replayed 500 is marked replayed")
    func credentialsAndReplays() {
        guard case .retryable(let refused) = classify(401, StripeJSON.error(type: "invalid_request_error")) else {
            Issue.record("401 not retryable"); return
        }
        #expect(refused.code == "credentials_refused")
        guard case .unknown(let replayed) = classify(500, StripeJSON.error(type: "api_error"), headers: ["idempotent-replayed": "true"]),
            case .unknown(let fresh) = classify(500, StripeJSON.error(type: "api_error"))
        else { Issue.record("500 not unknown"); return }
        #expect(replayed.replayed)
        #expect(!fresh.replayed)
        guard case .unknown(let dependency) = classify(424, StripeJSON.error(type: "api_error"), headers: ["idempotent-replayed": "true"]) else {
            Issue.record("424 not unknown"); return
        }
        #expect(dependency.replayed)
    }

    @Test func rejectionWithoutAStripeBodyGetsASyntheticError() {
        guard case .rejected(let status, let error) = classify(404, "nope") else { Issue.record("not rejected"); return }
        #expect(status == 404)
        #expect(error.code == "http_404")
    }

    @Test func failuresCarryStatusCodeAndRequestId() {
        let result = classify(
            500, StripeJSON.error(type: "api_error", code: "api_error_code"), headers: ["request-id": "req_123"]
        )
        guard case .unknown(let failure) = result else { Issue.record("not unknown"); return }
        #expect(failure.httpStatus == 500)
        #expect(failure.code == "api_error_code")
        #expect(failure.requestId == "req_123")
        #expect(failure.message == "test message")

        guard case .retryable(let conflict) = classify(409, StripeJSON.error(type: "idempotency_error", code: "idempotency_key_in_use")) else {
            Issue.record("not retryable"); return
        }
        #expect(conflict.code == "idempotency_key_in_use")
        guard case .retryable(let limited) = classify(429, "") else { Issue.record("not retryable"); return }
        #expect(limited.code == "rate_limited")
    }

    @Test func listsDecodeTheirDataArray() {
        let body = StripeJSON.list([StripeJSON.intent(id: "pi_a"), StripeJSON.intent(id: "pi_b")], object: "search_result")
        let result = StripeClassifier.classify(status: 200, headers: [:], body: Array(body.utf8), as: StripeList<StripePaymentIntent>.self)
        guard case .success(let list) = result.map(\.data) else { Issue.record("not a success"); return }
        #expect(list.map(\.id) == ["pi_a", "pi_b"])
    }
}
