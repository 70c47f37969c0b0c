import Payments
import Support
import Testing
@testable import APIActor

/// Every rule of `POST /payments/authorize` (`contract.md` and `authorize-payment.schema.json`), one row each.
@Suite struct AuthorizeCommandValidatorTests {
    static let cart = "0d4f4a2e-1b7c-4c5e-9a3b-2f6d8e9a1c0b"
    static let customer = "7e57d004-2b97-4e7a-b45f-5387367791cd"
    static let order = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
    static let defaultMethod = "pm_card_visa"

    enum Expected: Sendable {
        /// Accepted, as this command.
        case valid(AuthorizeCommand)
        /// Refused, naming exactly these pointers (in any order, each once).
        case invalid([String])
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var body: String
        var defaultPaymentMethod: String? = AuthorizeCommandValidatorTests.defaultMethod
        var expected: Expected
    }

    /// The minimal valid body with some members replaced (raw JSON; nil removes it) and others appended.
    static func body(_ replacing: [String: String?] = [:], adding extra: [(String, String)] = []) -> String {
        var members: [(String, String)] = []
        for (key, raw) in [("cartId", "\"\(cart)\""), ("amount", "4999"), ("currency", "\"EUR\"")] {
            if let replacement = replacing[key] {
                if let replacement { members.append((key, replacement)) }
            } else {
                members.append((key, raw))
            }
        }
        for (key, raw) in replacing where !["cartId", "amount", "currency"].contains(key) {
            if let raw { members.append((key, raw)) }
        }
        members += extra
        return "{" + members.map { "\(JSONString.quoted($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    static func command(
        cartId: String = cart, customerId: String? = nil, amount: Int = 4999, currency: String = "EUR", orderId: String? = nil,
        paymentMethod: String = defaultMethod, capture: CaptureMode = .manual, metadata: [String: String] = [:]
    ) -> AuthorizeCommand {
        AuthorizeCommand(
            cartId: cartId, customerId: customerId, amount: amount, currency: currency, orderId: orderId,
            paymentMethod: paymentMethod, capture: capture, metadata: metadata)
    }

    static func string(_ s: String) -> String { JSONString.quoted(s) }

    static func metadata(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { "\(string($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    static func metadataOfKeys(_ count: Int) -> String {
        metadata((0..<count).map { ("k\($0)", "\"v\"") })
    }

    static let table: [Row] = [
        // The whole body.
        Row(testDescription: "minimal", body: body(), expected: .valid(command())),
        Row(testDescription: "every field", body: body([
                "customerId": string(customer), "orderId": string(order), "paymentMethod": "\"pm_card_mastercard\"",
                "capture": "\"automatic\"", "metadata": #"{"channel":"web"}"#,
            ]),
            expected: .valid(command(customerId: customer, orderId: order, paymentMethod: "pm_card_mastercard",
                                     capture: .automatic, metadata: ["channel": "web"]))),
        Row(testDescription: "empty object", body: "{}", expected: .invalid(["/cartId", "/amount", "/currency"])),
        Row(testDescription: "an array", body: "[]", expected: .invalid([""])),
        Row(testDescription: "a string", body: "\"x\"", expected: .invalid([""])),
        Row(testDescription: "null", body: "null", expected: .invalid([""])),

        // cartId, customerId, orderId: required / optional uuid.
        Row(testDescription: "cartId missing", body: body(["cartId": nil]), expected: .invalid(["/cartId"])),
        Row(testDescription: "cartId null", body: body(["cartId": "null"]), expected: .invalid(["/cartId"])),
        Row(testDescription: "cartId number", body: body(["cartId": "12"]), expected: .invalid(["/cartId"])),
        Row(testDescription: "cartId not a uuid", body: body(["cartId": "\"cart-1\""]), expected: .invalid(["/cartId"])),
        Row(testDescription: "cartId without hyphens", body: body(["cartId": "\"0d4f4a2e1b7c4c5e9a3b2f6d8e9a1c0b\""]),
            expected: .invalid(["/cartId"])),
        Row(testDescription: "cartId upper case", body: body(["cartId": string(cart.uppercased())]), expected: .valid(command())),
        Row(testDescription: "customerId", body: body(["customerId": string(customer)]), expected: .valid(command(customerId: customer))),
        Row(testDescription: "customerId not a uuid", body: body(["customerId": "\"bob\""]), expected: .invalid(["/customerId"])),
        Row(testDescription: "customerId null", body: body(["customerId": "null"]), expected: .invalid(["/customerId"])),
        Row(testDescription: "orderId", body: body(["orderId": string(order)]), expected: .valid(command(orderId: order))),
        Row(testDescription: "orderId upper case", body: body(["orderId": string(order.uppercased())]),
            expected: .valid(command(orderId: order))),
        Row(testDescription: "orderId not a uuid", body: body(["orderId": "\"o-1\""]), expected: .invalid(["/orderId"])),
        Row(testDescription: "orderId number", body: body(["orderId": "1"]), expected: .invalid(["/orderId"])),

        // amount: an integer from 1 to 99,999,999.
        Row(testDescription: "amount missing", body: body(["amount": nil]), expected: .invalid(["/amount"])),
        Row(testDescription: "amount 0", body: body(["amount": "0"]), expected: .invalid(["/amount"])),
        Row(testDescription: "amount 1", body: body(["amount": "1"]), expected: .valid(command(amount: 1))),
        Row(testDescription: "amount 99999999", body: body(["amount": "99999999"]), expected: .valid(command(amount: 99_999_999))),
        Row(testDescription: "amount 100000000", body: body(["amount": "100000000"]), expected: .invalid(["/amount"])),
        Row(testDescription: "amount -1", body: body(["amount": "-1"]), expected: .invalid(["/amount"])),
        Row(testDescription: "amount 1.5", body: body(["amount": "1.5"]), expected: .invalid(["/amount"])),
        Row(testDescription: "amount 12.0", body: body(["amount": "12.0"]), expected: .valid(command(amount: 12))),
        Row(testDescription: "amount 1.2e1", body: body(["amount": "1.2e1"]), expected: .valid(command(amount: 12))),
        Row(testDescription: "amount 4999.00000000000001", body: body(["amount": "4999.00000000000001"]), expected: .invalid(["/amount"])),
        Row(testDescription: "amount 1e300", body: body(["amount": "1e300"]), expected: .invalid(["/amount"])),
        Row(testDescription: "amount 2^63", body: body(["amount": "9223372036854775808"]), expected: .invalid(["/amount"])),
        Row(testDescription: "amount \"12\"", body: body(["amount": "\"12\""]), expected: .invalid(["/amount"])),
        Row(testDescription: "amount null", body: body(["amount": "null"]), expected: .invalid(["/amount"])),
        Row(testDescription: "amount true", body: body(["amount": "true"]), expected: .invalid(["/amount"])),

        // currency: ^[A-Z]{3}$ and a known ISO 4217 code.
        Row(testDescription: "currency missing", body: body(["currency": nil]), expected: .invalid(["/currency"])),
        Row(testDescription: "currency usd", body: body(["currency": "\"usd\""]), expected: .invalid(["/currency"])),
        Row(testDescription: "currency USDD", body: body(["currency": "\"USDD\""]), expected: .invalid(["/currency"])),
        Row(testDescription: "currency XXX unknown", body: body(["currency": "\"XXX\""]), expected: .invalid(["/currency"])),
        Row(testDescription: "currency ABC unknown", body: body(["currency": "\"ABC\""]), expected: .invalid(["/currency"])),
        Row(testDescription: "currency number", body: body(["currency": "978"]), expected: .invalid(["/currency"])),
        Row(testDescription: "currency null", body: body(["currency": "null"]), expected: .invalid(["/currency"])),
        Row(testDescription: "currency EUR", body: body(["currency": "\"EUR\""]), expected: .valid(command(currency: "EUR"))),
        Row(testDescription: "currency JPY", body: body(["currency": "\"JPY\""]), expected: .valid(command(currency: "JPY"))),

        // paymentMethod: ^pm_[A-Za-z0-9_]+$, defaulted when configured.
        Row(testDescription: "paymentMethod absent: the default", body: body(), expected: .valid(command(paymentMethod: defaultMethod))),
        Row(testDescription: "paymentMethod absent: another default", body: body(), defaultPaymentMethod: "pm_card_amex",
            expected: .valid(command(paymentMethod: "pm_card_amex"))),
        Row(testDescription: "paymentMethod absent, no default: required", body: body(), defaultPaymentMethod: nil,
            expected: .invalid(["/paymentMethod"])),
        Row(testDescription: "paymentMethod given, no default", body: body(["paymentMethod": "\"pm_card_visa\""]),
            defaultPaymentMethod: nil, expected: .valid(command(paymentMethod: "pm_card_visa"))),
        Row(testDescription: "paymentMethod given overrides the default",
            body: body(["paymentMethod": "\"pm_card_chargeDeclinedExpiredCard\""]),
            expected: .valid(command(paymentMethod: "pm_card_chargeDeclinedExpiredCard"))),
        Row(testDescription: "paymentMethod without pm_", body: body(["paymentMethod": "\"card_visa\""]),
            expected: .invalid(["/paymentMethod"])),
        Row(testDescription: "paymentMethod pm_ only", body: body(["paymentMethod": "\"pm_\""]), expected: .invalid(["/paymentMethod"])),
        Row(testDescription: "paymentMethod with a hyphen", body: body(["paymentMethod": "\"pm_card-visa\""]),
            expected: .invalid(["/paymentMethod"])),
        Row(testDescription: "paymentMethod a raw card number", body: body(["paymentMethod": "\"4242424242424242\""]),
            expected: .invalid(["/paymentMethod"])),
        Row(testDescription: "paymentMethod null", body: body(["paymentMethod": "null"]), expected: .invalid(["/paymentMethod"])),
        Row(testDescription: "paymentMethod object", body: body(["paymentMethod": #"{"card":"4242"}"#]),
            expected: .invalid(["/paymentMethod"])),

        // capture: manual (default) or automatic.
        Row(testDescription: "capture manual", body: body(["capture": "\"manual\""]), expected: .valid(command(capture: .manual))),
        Row(testDescription: "capture automatic", body: body(["capture": "\"automatic\""]), expected: .valid(command(capture: .automatic))),
        Row(testDescription: "capture Manual", body: body(["capture": "\"Manual\""]), expected: .invalid(["/capture"])),
        Row(testDescription: "capture auto", body: body(["capture": "\"auto\""]), expected: .invalid(["/capture"])),
        Row(testDescription: "capture true", body: body(["capture": "true"]), expected: .invalid(["/capture"])),
        Row(testDescription: "capture null", body: body(["capture": "null"]), expected: .invalid(["/capture"])),

        // Unknown top-level fields: each named.
        Row(testDescription: "one unknown field", body: body(adding: [("amountCents", "1")]), expected: .invalid(["/amountCents"])),
        Row(testDescription: "two unknown fields", body: body(adding: [("foo", "1"), ("card", #"{"number":"4242"}"#)]),
            expected: .invalid(["/foo", "/card"])),
        Row(testDescription: "unknown field differing in case", body: body(adding: [("CartId", string(cart))]),
            expected: .invalid(["/CartId"])),
        Row(testDescription: "unknown field with / and ~", body: body(adding: [("a/b~c", "1")]), expected: .invalid(["/a~1b~0c"])),
        Row(testDescription: "unknown field null", body: body(adding: [("payment_id", "null")]), expected: .invalid(["/payment_id"])),

        // metadata: an object of at most 20 string values, keys ≤ 40 characters, values ≤ 500, two keys reserved.
        Row(testDescription: "metadata empty", body: body(["metadata": "{}"]), expected: .valid(command())),
        Row(testDescription: "metadata a string", body: body(["metadata": "\"x\""]), expected: .invalid(["/metadata"])),
        Row(testDescription: "metadata an array", body: body(["metadata": #"["a"]"#]), expected: .invalid(["/metadata"])),
        Row(testDescription: "metadata null", body: body(["metadata": "null"]), expected: .invalid(["/metadata"])),
        Row(testDescription: "metadata 20 keys", body: body(["metadata": metadataOfKeys(20)]),
            expected: .valid(command(metadata: Dictionary(uniqueKeysWithValues: (0..<20).map { ("k\($0)", "v") })))),
        Row(testDescription: "metadata 21 keys", body: body(["metadata": metadataOfKeys(21)]), expected: .invalid(["/metadata"])),
        Row(testDescription: "metadata key of 40", body: body(["metadata": metadata([(String(repeating: "k", count: 40), "\"v\"")])]),
            expected: .valid(command(metadata: [String(repeating: "k", count: 40): "v"]))),
        Row(testDescription: "metadata key of 41", body: body(["metadata": metadata([(String(repeating: "k", count: 41), "\"v\"")])]),
            expected: .invalid(["/metadata/" + String(repeating: "k", count: 41)])),
        Row(testDescription: "metadata key of 40 precomposed é",
            body: body(["metadata": metadata([(String(repeating: "\u{E9}", count: 40), "\"v\"")])]),
            expected: .valid(command(metadata: [String(repeating: "\u{E9}", count: 40): "v"]))),
        // The schema's maxLength counts characters as RFC 8259 does (code points), like Stripe: 40 "e + U+0301" are 80.
        Row(testDescription: "metadata key of 40 graphemes but 80 code points",
            body: body(["metadata": metadata([(String(repeating: "e\u{301}", count: 40), "\"v\"")])]),
            expected: .invalid(["/metadata/" + String(repeating: "e\u{301}", count: 40)])),
        Row(testDescription: "metadata key payment_id", body: body(["metadata": #"{"payment_id":"x"}"#]),
            expected: .invalid(["/metadata/payment_id"])),
        Row(testDescription: "metadata key order_id", body: body(["metadata": #"{"order_id":"x"}"#]),
            expected: .invalid(["/metadata/order_id"])),
        Row(testDescription: "metadata key Payment_Id is not reserved", body: body(["metadata": #"{"Payment_Id":"x"}"#]),
            expected: .valid(command(metadata: ["Payment_Id": "x"]))),
        Row(testDescription: "metadata value of 500", body: body(["metadata": metadata([("k", string(String(repeating: "v", count: 500)))])]),
            expected: .valid(command(metadata: ["k": String(repeating: "v", count: 500)]))),
        Row(testDescription: "metadata value of 501", body: body(["metadata": metadata([("k", string(String(repeating: "v", count: 501)))])]),
            expected: .invalid(["/metadata/k"])),
        Row(testDescription: "metadata value of 500 emoji", body: body(["metadata": metadata([("k", string(String(repeating: "😀", count: 500)))])]),
            expected: .valid(command(metadata: ["k": String(repeating: "😀", count: 500)]))),
        Row(testDescription: "metadata value of 251 flags (502 code points)",
            body: body(["metadata": metadata([("k", string(String(repeating: "🇪🇺", count: 251)))])]),
            expected: .invalid(["/metadata/k"])),
        Row(testDescription: "metadata value a number", body: body(["metadata": #"{"k":1}"#]), expected: .invalid(["/metadata/k"])),
        Row(testDescription: "metadata value null", body: body(["metadata": #"{"k":null}"#]), expected: .invalid(["/metadata/k"])),
        Row(testDescription: "metadata value an object", body: body(["metadata": #"{"k":{"a":"b"}}"#]), expected: .invalid(["/metadata/k"])),
        Row(testDescription: "metadata value empty", body: body(["metadata": #"{"k":""}"#]), expected: .valid(command(metadata: ["k": ""]))),
        Row(testDescription: "metadata key with /", body: body(["metadata": #"{"a/b":1}"#]), expected: .invalid(["/metadata/a~1b"])),
        // Beyond the schema: keys Stripe's form encoding cannot carry.
        Row(testDescription: "metadata key empty", body: body(["metadata": #"{"":"v"}"#]), expected: .invalid(["/metadata/"])),
        Row(testDescription: "metadata key with brackets", body: body(["metadata": #"{"a[b]":"v"}"#]),
            expected: .invalid(["/metadata/a[b]"])),

        // Several errors at once: every one named, with its pointer.
        Row(testDescription: "several errors at once",
            body: #"{"cartId":"nope","customerId":7,"orderId":"","amount":0,"currency":"usd","paymentMethod":"visa","# +
                #""capture":"later","metadata":{"payment_id":"x","k":5},"extra":true}"#,
            expected: .invalid(["/extra", "/cartId", "/customerId", "/orderId", "/amount", "/currency", "/paymentMethod",
                                "/capture", "/metadata/payment_id", "/metadata/k"])),
        Row(testDescription: "several errors at once, without a default payment method",
            body: #"{"amount":"12","metadata":{"a":"b","order_id":"o"},"x":1,"y":2}"#, defaultPaymentMethod: nil,
            expected: .invalid(["/x", "/y", "/cartId", "/amount", "/currency", "/paymentMethod", "/metadata/order_id"])),
    ]

    static func validate(_ row: Row) throws -> Result<AuthorizeCommand, ValidationFailure> {
        let json = try StrictJSONParser.parse(Array(row.body.utf8))
        return AuthorizeCommandValidator(defaultPaymentMethod: row.defaultPaymentMethod).validate(json)
    }

    @Test(arguments: table)
    func rule(row: Row) throws {
        let result = try Self.validate(row)
        switch (row.expected, result) {
        case (.valid(let expected), .success(let command)):
            #expect(command == expected)
            #expect(command.canonicalForm == expected.canonicalForm)
        case (.invalid(let pointers), .failure(let failure)):
            #expect(failure.errors.compactMap(\.pointer).sorted() == pointers.sorted())
            #expect(failure.errors.allSatisfy { $0.parameter == nil && !$0.detail.isEmpty })
        case (.valid, .failure(let failure)):
            Issue.record("refused: \(failure.errors)")
        case (.invalid(let pointers), .success(let command)):
            Issue.record("accepted \(command), expected errors at \(pointers)")
        }
    }

    @Test func requiredFieldsSayRequired() throws {
        let row = Row(testDescription: "", body: "{}", defaultPaymentMethod: nil, expected: .invalid([]))
        guard case .failure(let failure) = try Self.validate(row) else { Issue.record("accepted"); return }
        #expect(failure.errors.count == 4)
        #expect(failure.errors.allSatisfy { $0.detail.hasPrefix("required") })
    }

    @Test func unknownCurrencyAndBadShapeAreToldApart() throws {
        let unknown = try Self.validate(Row(testDescription: "", body: Self.body(["currency": "\"XXX\""]), expected: .invalid([])))
        let shape = try Self.validate(Row(testDescription: "", body: Self.body(["currency": "\"usd\""]), expected: .invalid([])))
        guard case .failure(let u) = unknown, case .failure(let s) = shape else { Issue.record("accepted"); return }
        #expect(u.errors.first?.detail.contains("XXX") == true)
        #expect(u.errors.first?.detail != s.errors.first?.detail)
    }

    @Test func everyKnownCurrencyIsAccepted() throws {
        for code in Currency.known {
            let row = Row(testDescription: code, body: Self.body(["currency": Self.string(code)]), expected: .invalid([]))
            guard case .success(let command) = try Self.validate(row) else { Issue.record("\(code) refused"); continue }
            #expect(command.currency == code)
        }
    }

    @Test func identicalCommandsInAnyMemberOrderValidateToTheSameCanonicalForm() throws {
        let a = #"{"cartId":"\#(Self.cart)","amount":10,"currency":"EUR","metadata":{"x":"1","y":"2"}}"#
        let b = #"{"metadata":{"y":"2","x":"1"},"currency":"EUR","amount":1e1,"cartId":"\#(Self.cart.uppercased())","orderId":"\#(Self.cart)"}"#
        let ra = try Self.validate(Row(testDescription: "", body: a, expected: .invalid([])))
        let rb = try Self.validate(Row(testDescription: "", body: b, expected: .invalid([])))
        guard case .success(let ca) = ra, case .success(let cb) = rb else { Issue.record("refused"); return }
        #expect(ca.canonicalForm == cb.canonicalForm)
    }
}
