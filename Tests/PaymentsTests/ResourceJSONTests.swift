import Foundation
import Testing
import TestSupport
@testable import Payments

/// The hand-written resource JSON is what `openapi.json` documents (every field present, `null` when unset,
/// formats and enums as stated, nothing more), checked by a real JSON Schema validator.
@Suite struct ResourceJSONTests {
    static let at = "2026-11-30T12:34:56.789Z"

    static func id() -> String { UUID().uuidString.lowercased() }

    static func payment(_ status: PaymentStatus, capture: CaptureMode = .manual) -> Payment {
        Payment(
            paymentId: id(), cartId: id(), orderId: id(), customerId: nil, amount: 4999, currency: "USD", status: status,
            capture: capture, createdAt: at, updatedAt: at)
    }

    /// Every status and capture mode with the optional fields unset, then every failure reason with them all set
    /// (strings that need escaping included).
    static var payments: [Payment] {
        var all = PaymentStatus.allCases.flatMap { status in CaptureMode.allCases.map { payment(status, capture: $0) } }
        for reason in FailureReason.allCases {
            var failed = payment(.failed)
            failed.customerId = id()
            failed.failureReason = reason
            failed.declineCode = "say \"no\" \\ \u{1}"
            failed.processorReference = "pi_3Q"
            failed.lastError = PaymentError(operation: "capture", code: "x", message: "line\nbreak \\ \u{1} é", at: at)
            all.append(failed)
        }
        return all
    }

    static var refunds: [Refund] {
        RefundStatus.allCases.flatMap { status in
            ([nil] + RefundReason.allCases.map(Optional.some)).map { reason in
                Refund(
                    refundId: id(), paymentId: id(), amount: 5, currency: "EUR", reason: reason, status: status,
                    processorReference: status == .requested ? nil : "re_1", createdAt: at, updatedAt: at)
            }
        }
    }

    @Test("payments and refunds conform to the document's Payment and Refund schemas")
    func conformToTheDocument() throws {
        let cases = Self.payments.map { OpenAPICase.schema("Payment", body: $0.json) }
            + Self.refunds.map { OpenAPICase.schema("Refund", body: $0.json) }
        let result = try OpenAPISchemaCheck.run(cases)
        #expect(result.failure == nil, "\(result.failure ?? "")")
        #expect(result.output.contains("\(cases.count) answers checked"), "\(result.output)")
    }

    @Test("the check refuses a payment that leaves out a field, adds one or breaks a format")
    func checkRefusesBrokenPayments() throws {
        let good = Self.payment(.requested).json
        let broken = [
            good.replacingOccurrences(of: #""customerId":null,"#, with: ""),
            good.replacingOccurrences(of: #""amount":4999"#, with: #""amount":4999,"extra":1"#),
            good.replacingOccurrences(of: Self.at, with: "yesterday"),
            good.replacingOccurrences(of: "REQUESTED", with: "PENDING"),
        ]
        #expect(Set(broken).count == broken.count && !broken.contains(good))
        for text in broken {
            let result = try OpenAPISchemaCheck.run([.schema("Payment", body: text)])
            #expect(result.status == 1 && !result.output.contains("No module named"), "\(text): \(result.output)")
        }
    }

    @Test("strings keep their characters through the hand-written JSON")
    func stringsRoundTrip() throws {
        let payment = try #require(Self.payments.last)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(payment.json.utf8)) as? [String: Any])
        #expect(object["declineCode"] as? String == payment.declineCode)
        #expect((object["lastError"] as? [String: Any])?["message"] as? String == payment.lastError?.message)
        #expect(object["paymentId"] as? String == payment.paymentId)
    }
}
