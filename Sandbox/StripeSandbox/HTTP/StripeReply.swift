import HTTPTypes
import Hummingbird
import NIOCore

/// A status and JSON body on its way out, with Stripe's headers.
struct StripeReply: Sendable {
    var status: Int
    var body: String
    var headers: [(name: String, value: String)] = []
    /// What `body` serialises; nil for a replayed answer, which is kept only as text.
    private(set) var json: JSONValue?

    init(status: Int = 200, json: JSONValue, headers: [(name: String, value: String)] = []) {
        self.status = status
        self.body = json.serialized
        self.headers = headers
        self.json = json
    }

    init(_ error: StripeError, requestID: String) {
        self.init(status: error.status, json: error.body(requestID: requestID), headers: error.headers)
    }

    init(replaying saved: SavedResponse) {
        status = saved.status
        body = saved.body
        headers = [("Idempotent-Replayed", "true"), ("Original-Request", saved.requestID)]
    }

    /// The `unreadable_2xx` fault: this 2xx answer with its object's `status` left out, or nil when
    /// the answer is not an object that has one.
    var withoutStatus: StripeReply? {
        guard (200..<300).contains(status), case .object(let fields)? = json, fields.contains(where: { $0.key == "status" })
        else { return nil }
        return StripeReply(status: status, json: .object(fields.filter { $0.key != "status" }), headers: headers)
    }

    func response(requestID: String) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.requestID] = requestID
        fields[.stripeVersion] = Webhook.apiVersion
        for header in headers {
            if let name = HTTPField.Name(header.name) { fields[name] = header.value }
        }
        return Response(
            status: HTTPResponse.Status(code: status),
            headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(string: body))
        )
    }
}
