import Foundation
import Testing
import Payments

/// Events carry exactly their schema's fields (`schemas/*.schema.json`); optional ones are left out when absent.
@Suite struct DomainEventTests {
    static let payment = "5b0e7c6a-3f2d-4e1b-9c8a-7d6e5f4a3b2c"
    static let order = "0d4f4a2e-1b7c-4c5e-9a3b-2f6d8e9a1c0b"
    static let customer = "7e57d004-2b97-4e7a-b45f-5387367791cd"
    static let refund = "c3d2e1f0-a9b8-4c7d-8e6f-5a4b3c2d1e0f"
    static let time = "2024-05-01T12:34:56.789Z"

    /// One event as it may be written, with the schema it must follow.
    struct Case: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var event: DomainEvent
        var type: String
        var subjectId: String
        /// Every property of the schema.
        var properties: Set<String>
        /// The schema's `required`.
        var required: Set<String>
        /// Whether `event` sets every optional field (else none).
        var full: Bool
    }

    // Hard-coded from the contract's schemas (Tests/Fixtures/schemas holds a copy): properties; required.
    static let requestedSchema: (Set<String>, Set<String>) = (
        ["paymentId", "orderId", "customerId", "amount", "currency", "requestedAt"],
        ["paymentId", "orderId", "amount", "currency", "requestedAt"])
    static let succeededSchema: (Set<String>, Set<String>) = (
        ["paymentId", "orderId", "amount", "currency", "processorReference", "succeededAt"],
        ["paymentId", "orderId", "amount", "currency", "succeededAt"])
    static let failedSchema: (Set<String>, Set<String>) = (
        ["paymentId", "orderId", "reason", "failedAt"],
        ["paymentId", "orderId", "reason", "failedAt"])
    static let capturedSchema: (Set<String>, Set<String>) = (
        ["paymentId", "orderId", "amount", "currency", "processorReference", "capturedAt"],
        ["paymentId", "orderId", "amount", "currency", "capturedAt"])
    static let voidedSchema: (Set<String>, Set<String>) = (
        ["paymentId", "orderId", "processorReference", "voidedAt"],
        ["paymentId", "orderId", "voidedAt"])
    static let refundRequestedSchema: (Set<String>, Set<String>) = (
        ["refundId", "paymentId", "orderId", "amount", "currency", "reason", "requestedAt"],
        ["refundId", "paymentId", "amount", "currency", "requestedAt"])
    static let refundProcessedSchema: (Set<String>, Set<String>) = (
        ["refundId", "paymentId", "amount", "currency", "processedAt"],
        ["refundId", "paymentId", "amount", "currency", "processedAt"])
    static let refundFailedSchema: (Set<String>, Set<String>) = (
        ["refundId", "paymentId", "amount", "currency", "reason", "failedAt"],
        ["refundId", "paymentId", "amount", "currency", "failedAt"])

    static func make(_ name: String, _ event: DomainEvent, _ type: String, subject: String,
                     _ schema: (Set<String>, Set<String>), full: Bool) -> Case {
        Case(testDescription: name, event: event, type: type, subjectId: subject, properties: schema.0,
             required: schema.1, full: full)
    }

    static let cases: [Case] = [
        make("payment-requested, full", .paymentRequested(
            paymentId: payment, orderId: order, customerId: customer, amount: 4999, currency: "EUR", requestedAt: time),
             "payment-requested", subject: payment, requestedSchema, full: true),
        make("payment-requested, minimal", .paymentRequested(
            paymentId: payment, orderId: order, customerId: nil, amount: 4999, currency: "EUR", requestedAt: time),
             "payment-requested", subject: payment, requestedSchema, full: false),
        make("payment-succeeded, full", .paymentSucceeded(
            paymentId: payment, orderId: order, amount: 4999, currency: "EUR", processorReference: "pi_123", succeededAt: time),
             "payment-succeeded", subject: payment, succeededSchema, full: true),
        make("payment-succeeded, minimal", .paymentSucceeded(
            paymentId: payment, orderId: order, amount: 4999, currency: "EUR", processorReference: nil, succeededAt: time),
             "payment-succeeded", subject: payment, succeededSchema, full: false),
        make("payment-failed", .paymentFailed(paymentId: payment, orderId: order, reason: .insufficientFunds, failedAt: time),
             "payment-failed", subject: payment, failedSchema, full: true),
        make("payment-captured, full", .paymentCaptured(
            paymentId: payment, orderId: order, amount: 4000, currency: "EUR", processorReference: "pi_123", capturedAt: time),
             "payment-captured", subject: payment, capturedSchema, full: true),
        make("payment-captured, minimal", .paymentCaptured(
            paymentId: payment, orderId: order, amount: 4000, currency: "EUR", processorReference: nil, capturedAt: time),
             "payment-captured", subject: payment, capturedSchema, full: false),
        make("payment-voided, full", .paymentVoided(paymentId: payment, orderId: order, processorReference: "pi_123", voidedAt: time),
             "payment-voided", subject: payment, voidedSchema, full: true),
        make("payment-voided, minimal", .paymentVoided(paymentId: payment, orderId: order, processorReference: nil, voidedAt: time),
             "payment-voided", subject: payment, voidedSchema, full: false),
        make("refund-requested, full", .refundRequested(
            refundId: refund, paymentId: payment, orderId: order, amount: 1000, currency: "EUR", reason: "duplicate", requestedAt: time),
             "refund-requested", subject: refund, refundRequestedSchema, full: true),
        make("refund-requested, minimal", .refundRequested(
            refundId: refund, paymentId: payment, orderId: nil, amount: 1000, currency: "EUR", reason: nil, requestedAt: time),
             "refund-requested", subject: refund, refundRequestedSchema, full: false),
        make("refund-processed", .refundProcessed(refundId: refund, paymentId: payment, amount: 1000, currency: "EUR", processedAt: time),
             "refund-processed", subject: refund, refundProcessedSchema, full: true),
        make("refund-failed, full", .refundFailed(
            refundId: refund, paymentId: payment, amount: 1000, currency: "EUR", reason: "expired_or_canceled_card", failedAt: time),
             "refund-failed", subject: refund, refundFailedSchema, full: true),
        make("refund-failed, minimal", .refundFailed(
            refundId: refund, paymentId: payment, amount: 1000, currency: "EUR", reason: nil, failedAt: time),
             "refund-failed", subject: refund, refundFailedSchema, full: false),
    ]

    static func parse(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(text)")
    }

    @Test(arguments: cases)
    func typeNameAndIds(c: Case) {
        #expect(c.event.type == c.type)
        #expect(c.event.subjectId == c.subjectId)
        #expect(c.event.paymentId == Self.payment)
    }

    @Test(arguments: cases)
    func dataCarriesExactlyTheSchemasFields(c: Case) throws {
        let data = try Self.parse(c.event.dataJSON)
        let keys = Set(data.keys)
        #expect(keys.isSubset(of: c.properties), "not in the schema: \(keys.subtracting(c.properties))")
        #expect(c.required.isSubset(of: keys), "required but missing: \(c.required.subtracting(keys))")
        #expect(keys == (c.full ? c.properties : c.required))
    }

    @Test(arguments: cases)
    func dataValuesHaveTheSchemasTypes(c: Case) throws {
        let data = try Self.parse(c.event.dataJSON)
        for (key, value) in data {
            if key == "amount" {
                // An integer, not a string or a fraction.
                let number = try #require(value as? NSNumber, "\(key) is not a number")
                #expect(!(value is String))
                #expect(number.doubleValue == Double(number.intValue))
            } else {
                #expect(value is String, "\(key) is not a string")
            }
        }
        for key in ["paymentId", "orderId", "customerId", "refundId"] where data[key] != nil {
            #expect(UUID(uuidString: data[key] as? String ?? "") != nil, "\(key) is not a UUID")
        }
        if let currency = data["currency"] as? String {
            #expect(currency == "EUR")
        }
        if let reference = data["processorReference"] as? String {
            #expect(reference.hasPrefix("pi_"))
        }
        for key in ["requestedAt", "succeededAt", "failedAt", "capturedAt", "voidedAt", "processedAt"] where data[key] != nil {
            #expect(data[key] as? String == Self.time)
        }
    }

    @Test func valuesAreWrittenAsGiven() throws {
        let requested = try Self.parse(DomainEvent.paymentRequested(
            paymentId: Self.payment, orderId: Self.order, customerId: Self.customer, amount: 99_999_999, currency: "JPY",
            requestedAt: Self.time).dataJSON)
        #expect(requested["paymentId"] as? String == Self.payment)
        #expect(requested["orderId"] as? String == Self.order)
        #expect(requested["customerId"] as? String == Self.customer)
        #expect(requested["amount"] as? Int == 99_999_999)
        #expect(requested["currency"] as? String == "JPY")

        let captured = try Self.parse(DomainEvent.paymentCaptured(
            paymentId: Self.payment, orderId: Self.order, amount: 0, currency: "USD", processorReference: "pi_9", capturedAt: Self.time).dataJSON)
        #expect(captured["amount"] as? Int == 0)
        #expect(captured["processorReference"] as? String == "pi_9")
    }

    @Test(arguments: FailureReason.allCases)
    func failedCarriesTheCatalogReason(reason: FailureReason) throws {
        let data = try Self.parse(DomainEvent.paymentFailed(
            paymentId: Self.payment, orderId: Self.order, reason: reason, failedAt: Self.time).dataJSON)
        #expect(data["reason"] as? String == reason.rawValue)
    }

    @Test func freeTextIsEscaped() throws {
        let reason = "a \"quoted\" \\ reason\nwith\ttabs and \u{01} control"
        let data = try Self.parse(DomainEvent.refundFailed(
            refundId: Self.refund, paymentId: Self.payment, amount: 1, currency: "EUR", reason: reason, failedAt: Self.time).dataJSON)
        #expect(data["reason"] as? String == reason)
    }

    @Test func everyEventTypeIsCovered() {
        #expect(Set(Self.cases.map(\.type)) == [
            "payment-requested", "payment-succeeded", "payment-failed", "payment-captured", "payment-voided",
            "refund-requested", "refund-processed", "refund-failed",
        ])
    }
}
