import Foundation
import Hummingbird
import Payments

enum JSONResponse {
    static func make<T: Encodable>(_ status: HTTPResponse.Status, _ value: T, location: String? = nil) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return make(status, json: try encoder.encode(value), location: location)
    }

    /// Payments and refunds write their own JSON (see `Payment.json`): these overloads win over the generic one.
    static func make(_ status: HTTPResponse.Status, _ payment: Payment, location: String? = nil) -> Response {
        make(status, json: payment.json.utf8, location: location)
    }

    static func make(_ status: HTTPResponse.Status, _ refund: Refund, location: String? = nil) -> Response {
        make(status, json: refund.json.utf8, location: location)
    }

    static func make(_ status: HTTPResponse.Status, refunds: [Refund]) -> Response {
        make(status, json: ("{\"refunds\":[" + refunds.map(\.json).joined(separator: ",") + "]}").utf8, location: nil)
    }

    static func make(_ status: HTTPResponse.Status, _ dispute: Dispute) -> Response {
        make(status, json: dispute.json.utf8, location: nil)
    }

    static func make(_ status: HTTPResponse.Status, disputes: [Dispute]) -> Response {
        make(status, json: ("{\"disputes\":[" + disputes.map(\.json).joined(separator: ",") + "]}").utf8, location: nil)
    }

    static func make(_ status: HTTPResponse.Status, payments: [Payment]) -> Response {
        make(status, json: ("{\"payments\":[" + payments.map(\.json).joined(separator: ",") + "]}").utf8, location: nil)
    }

    static func make(_ status: HTTPResponse.Status, json: String, location: String? = nil) -> Response {
        make(status, json: json.utf8, location: location)
    }

    private static func make<Bytes: Sequence<UInt8>>(_ status: HTTPResponse.Status, json: Bytes, location: String?) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if let location { headers[.location] = location }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: json)))
    }
}
