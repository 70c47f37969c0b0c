import Foundation
import Testing
import Payments

/// The command after parsing, with defaults applied; replays are recognised by `canonicalForm`.
@Suite struct AuthorizeCommandTests {
    static let cart = "0d4f4a2e-1b7c-4c5e-9a3b-2f6d8e9a1c0b"
    static let customer = "7e57d004-2b97-4e7a-b45f-5387367791cd"
    static let order = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"

    static func command(
        cartId: String = cart, customerId: String? = customer, amount: Int = 4999, currency: String = "EUR",
        orderId: String? = order, paymentMethod: String = "pm_card_visa", capture: CaptureMode = .manual,
        metadata: [String: String] = ["channel": "web", "basket": "42"]
    ) -> AuthorizeCommand {
        AuthorizeCommand(
            cartId: cartId, customerId: customerId, amount: amount, currency: currency, orderId: orderId,
            paymentMethod: paymentMethod, capture: capture, metadata: metadata)
    }

    @Test func defaultsOrderIdToCartIdCaptureToManualAndMetadataToEmpty() {
        let c = AuthorizeCommand(cartId: Self.cart, customerId: nil, amount: 100, currency: "USD", paymentMethod: "pm_card_visa")
        #expect(c.orderId == Self.cart)
        #expect(c.capture == .manual)
        #expect(c.metadata.isEmpty)
        #expect(c.customerId == nil)
    }

    @Test func lowerCasesEveryUUID() {
        let c = Self.command(cartId: Self.cart.uppercased(), customerId: Self.customer.uppercased(), orderId: Self.order.uppercased())
        #expect(c.cartId == Self.cart)
        #expect(c.customerId == Self.customer)
        #expect(c.orderId == Self.order)
    }

    @Test func defaultedOrderIdIsTheLowerCasedCartId() {
        let c = Self.command(cartId: Self.cart.uppercased(), orderId: nil)
        #expect(c.orderId == Self.cart)
    }

    @Test func leavesThePaymentMethodCurrencyAndMetadataAsGiven() {
        let c = Self.command(currency: "EUR", paymentMethod: "pm_card_chargeDeclinedExpiredCard", metadata: ["Key": "Value"])
        #expect(c.paymentMethod == "pm_card_chargeDeclinedExpiredCard")
        #expect(c.currency == "EUR")
        #expect(c.metadata == ["Key": "Value"])
    }

    // MARK: canonicalForm

    @Test func equalCommandsHaveEqualCanonicalForms() {
        #expect(Self.command().canonicalForm == Self.command().canonicalForm)
    }

    /// The stored form of every payment ever taken: replays compare against it, so it never changes.
    @Test func canonicalFormIsPinned() {
        #expect(Self.command(metadata: ["note": "say \"hi\"\n", "channel": "web"]).canonicalForm == """
            {"amount":4999,"capture":"manual","cartId":"\(Self.cart)","currency":"EUR","customerId":"\(Self.customer)",\
            "metadata":{"channel":"web","note":"say \\"hi\\"\\n"},"orderId":"\(Self.order)","paymentMethod":"pm_card_visa"}
            """)
        #expect(Self.command(customerId: nil, metadata: [:]).canonicalForm == """
            {"amount":4999,"capture":"manual","cartId":"\(Self.cart)","currency":"EUR","customerId":null,\
            "metadata":{},"orderId":"\(Self.order)","paymentMethod":"pm_card_visa"}
            """)
    }

    @Test func metadataInsertionOrderDoesNotMatter() {
        let pairs = (0..<20).map { ("key\($0)", "value \($0)") }
        var forward: [String: String] = [:]
        for (k, v) in pairs { forward[k] = v }
        var backward: [String: String] = [:]
        backward.reserveCapacity(64)
        for (k, v) in pairs.reversed() { backward[k] = v }
        #expect(Self.command(metadata: forward).canonicalForm == Self.command(metadata: backward).canonicalForm)
    }

    @Test func defaultsAndCaseAreAppliedBeforeComparing() {
        // An omitted orderId is the cartId; UUIDs compare case-insensitively.
        let explicit = Self.command(orderId: Self.cart)
        let defaulted = Self.command(orderId: nil)
        let upper = Self.command(cartId: Self.cart.uppercased(), customerId: Self.customer.uppercased(), orderId: nil)
        #expect(explicit.canonicalForm == defaulted.canonicalForm)
        #expect(upper.canonicalForm == defaulted.canonicalForm)
    }

    struct Change: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var command: AuthorizeCommand
    }

    static let changes: [Change] = [
        Change(testDescription: "cartId", command: command(cartId: "0d4f4a2e-1b7c-4c5e-9a3b-2f6d8e9a1c0c")),
        Change(testDescription: "customerId", command: command(customerId: "7e57d004-2b97-4e7a-b45f-5387367791ce")),
        Change(testDescription: "customerId absent", command: command(customerId: nil)),
        Change(testDescription: "amount", command: command(amount: 5000)),
        Change(testDescription: "currency", command: command(currency: "USD")),
        Change(testDescription: "orderId", command: command(orderId: "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5e")),
        Change(testDescription: "orderId defaulted", command: command(orderId: nil)),
        Change(testDescription: "paymentMethod", command: command(paymentMethod: "pm_card_mastercard")),
        Change(testDescription: "paymentMethod case", command: command(paymentMethod: "pm_card_Visa")),
        Change(testDescription: "capture", command: command(capture: .automatic)),
        Change(testDescription: "metadata value", command: command(metadata: ["channel": "app", "basket": "42"])),
        Change(testDescription: "metadata key", command: command(metadata: ["Channel": "web", "basket": "42"])),
        Change(testDescription: "metadata key added", command: command(metadata: ["channel": "web", "basket": "42", "x": ""])),
        Change(testDescription: "metadata key removed", command: command(metadata: ["channel": "web"])),
        Change(testDescription: "metadata empty", command: command(metadata: [:])),
        Change(testDescription: "metadata value with a quote", command: command(metadata: ["channel": "web\"", "basket": "42"])),
        Change(testDescription: "metadata keys and values swapped", command: command(metadata: ["web": "channel", "42": "basket"])),
    ]

    @Test(arguments: changes)
    func anyOneFieldChangedChangesTheCanonicalForm(change: Change) {
        #expect(change.command.canonicalForm != Self.command().canonicalForm)
    }

    @Test func canonicalFormCannotBeForgedThroughEscapes() {
        // Without escaping, both would read {"a":"b","c":"d"}.
        let smuggled = Self.command(metadata: ["a": "b\",\"c\":\"d"])
        let honest = Self.command(metadata: ["a": "b", "c": "d"])
        #expect(smuggled.canonicalForm != honest.canonicalForm)
    }

    @Test func canonicalFormIsAJSONObjectOfEveryField() throws {
        let c = Self.command(metadata: ["quote\"": "line\nbreak", "ü": "😀"])
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(c.canonicalForm.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["amount", "capture", "cartId", "currency", "customerId", "metadata", "orderId", "paymentMethod"])
        #expect(object["amount"] as? Int == 4999)
        #expect(object["capture"] as? String == "manual")
        #expect(object["cartId"] as? String == Self.cart)
        #expect(object["currency"] as? String == "EUR")
        #expect(object["customerId"] as? String == Self.customer)
        #expect(object["orderId"] as? String == Self.order)
        #expect(object["paymentMethod"] as? String == "pm_card_visa")
        #expect(object["metadata"] as? [String: String] == ["quote\"": "line\nbreak", "ü": "😀"])

        let anonymous = Self.command(customerId: nil)
        let parsed = try #require(
            try JSONSerialization.jsonObject(with: Data(anonymous.canonicalForm.utf8)) as? [String: Any])
        #expect(parsed["customerId"] is NSNull)
    }

    @Test func codableRoundTripKeepsTheCommand() throws {
        let c = Self.command(capture: .automatic)
        let decoded = try JSONDecoder().decode(AuthorizeCommand.self, from: JSONEncoder().encode(c))
        #expect(decoded == c)
        #expect(decoded.canonicalForm == c.canonicalForm)
    }
}
