import Foundation
import Payments
import Store

/// The parts of a Stripe Event the service reads, and what they say about our payments and refunds.
struct StripeEvent {
    struct Malformed: Error {
        var reason: String
    }

    let id: String
    let type: String
    let object: [String: Any]

    init(_ body: [UInt8]) throws(Malformed) {
        guard let json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw Malformed(reason: "the body is not a JSON object")
        }
        guard let id = json["id"] as? String, id.hasPrefix("evt_"), let type = json["type"] as? String,
            let object = (json["data"] as? [String: Any])?["object"] as? [String: Any]
        else { throw Malformed(reason: "an Event needs an evt_ id, a type and data.object") }
        guard !Self.holdsNUL(json) else { throw Malformed(reason: "a NUL character (\\u0000) is not allowed") }
        self.id = id
        self.type = type
        self.object = object
    }

    /// Whether a NUL stands in any key or string, at any depth (the store cannot keep one).
    static func holdsNUL(_ value: Any) -> Bool {
        switch value {
        case let string as String: string.utf8.contains(0)
        case let object as [String: Any]: object.contains { holdsNUL($0.key) || holdsNUL($0.value) }
        case let array as [Any]: array.contains(where: holdsNUL)
        default: false
        }
    }

    var notice: WebhookNotice {
        let metadata = object["metadata"] as? [String: String] ?? [:]
        let status = object["status"] as? String
        switch object["object"] as? String {
        case "payment_intent":
            return WebhookNotice(
                eventId: id, type: type, intentId: object["id"] as? String, paymentId: metadata["payment_id"], refundId: nil,
                paymentStatus: Self.paymentStatus(intentStatus: status, hasError: object["last_payment_error"] is [String: Any]),
                refundStatus: nil)
        case "refund":
            return WebhookNotice(
                eventId: id, type: type, intentId: object["payment_intent"] as? String, paymentId: metadata["payment_id"],
                refundId: metadata["refund_id"], paymentStatus: nil, refundStatus: Self.refundStatus(status))
        case "review":
            return WebhookNotice(
                eventId: id, type: type, intentId: object["payment_intent"] as? String, paymentId: nil, refundId: nil,
                paymentStatus: nil, refundStatus: nil, reviewStatus: (object["open"] as? Bool).map { $0 ? .open : .closed })
        case "dispute":
            // Matched to its payment through the intent: a dispute carries none of our metadata.
            return WebhookNotice(
                eventId: id, type: type, intentId: object["payment_intent"] as? String, paymentId: nil, refundId: nil,
                paymentStatus: nil, refundStatus: nil, disputeReference: (object["id"] as? String).flatMap(Self.disputeId))
        default:
            return chargeNotice(metadata: metadata)
        }
    }

    /// `charge.expired` says the hold is gone (the read-back decides how); `charge.refunded` carries the charge's
    /// refunded total, which shows a refund made in the dashboard.
    private func chargeNotice(metadata: [String: String]) -> WebhookNotice {
        WebhookNotice(
            eventId: id, type: type, intentId: object["payment_intent"] as? String, paymentId: metadata["payment_id"],
            refundId: nil, paymentStatus: type == "charge.expired" ? .voided : nil, refundStatus: nil,
            amountRefunded: type == "charge.refunded" ? object["amount_refunded"] as? Int : nil)
    }

    /// A `dp_…` id of Stripe's shape (letters and digits, at most 255): anything else names no dispute of ours.
    static func disputeId(_ text: String) -> String? {
        let body = text.utf8.dropFirst(3)
        guard text.hasPrefix("dp_"), (1...252).contains(body.count), body.allSatisfy({ $0 < 128 && (isalnum(Int32($0)) != 0) }) else { return nil }
        return text
    }

    static func paymentStatus(intentStatus: String?, hasError: Bool) -> PaymentStatus? {
        switch intentStatus {
        case "requires_action": .requiresAction
        case "requires_capture": .authorized
        case "succeeded": .captured
        case "canceled": .voided
        case "requires_payment_method" where hasError: .failed
        default: nil
        }
    }

    static func refundStatus(_ status: String?) -> RefundStatus? {
        switch status {
        case "succeeded": .processed
        case "failed", "canceled": .failed
        default: nil
        }
    }
}
