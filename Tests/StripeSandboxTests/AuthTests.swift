import Foundation
import Testing
import TestSupport

@Suite("Auth and wire basics")
struct AuthTests {
    @Test func noKeyIsStripes401() async throws {
        try await withStripeSandbox { sandbox in
            let reply = try await StripeTestClient(sandbox, apiKey: nil).post("/v1/payment_intents", [("amount", "1000")])
            #expect(reply.status == 401)
            #expect(reply.errorField("type") == "invalid_request_error")
            #expect(reply.errorField("message")?.contains("You did not provide an API key") == true)
            #expect(reply.requestID?.hasPrefix("req_") == true)
        }
    }

    @Test(arguments: ["sk_live_abcdefghijkl", "pk_test_abcdefghijkl", "sk_test_", "garbage"])
    func otherKeysAre401(key: String) async throws {
        try await withStripeSandbox { sandbox in
            let reply = try await StripeTestClient(sandbox, apiKey: key).get("/v1/refunds")
            #expect(reply.status == 401)
            #expect(reply.errorField("message")?.hasPrefix("Invalid API Key provided") == true)
            #expect(reply.errorField("message")?.contains(key) == false || key.count <= 8)
        }
    }

    @Test func basicAuthWithTheKeyAsUserIsAccepted() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox, apiKey: nil)
            let basic = Data("sk_test_basic123:".utf8).base64EncodedString()
            let reply = try await client.get("/v1/refunds", headers: [("Authorization", "Basic \(basic)")])
            #expect(reply.status == 200)
            #expect(reply.string("object") == "list")
        }
    }

    @Test func everyResponseCarriesARequestID() async throws {
        try await withStripeSandbox { sandbox in
            let client = StripeTestClient(sandbox)
            let ok = try await client.get("/v1/refunds")
            let missing = try await client.get("/v1/payment_intents/pi_missing")
            let unknown = try await client.get("/v1/nothing_here")
            #expect(ok.requestID?.hasPrefix("req_") == true)
            #expect(missing.status == 404)
            #expect(missing.errorField("code") == "resource_missing")
            #expect(unknown.status == 404)
            #expect(unknown.errorField("message")?.hasPrefix("Unrecognized request URL") == true)
            #expect(Set([ok.requestID, missing.requestID, unknown.requestID]).count == 3)
        }
    }

    @Test func unknownParametersAreRefusedLikeStripe() async throws {
        try await withStripeSandbox { sandbox in
            let reply = try await StripeTestClient(sandbox).post(
                "/v1/payment_intents", [("amount", "1000"), ("currency", "usd"), ("amout", "5")]
            )
            #expect(reply.status == 400)
            #expect(reply.errorField("code") == "parameter_unknown")
            #expect(reply.errorField("param") == "amout")
        }
    }
}
