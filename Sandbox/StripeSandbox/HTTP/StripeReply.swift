import HTTPTypes
import Hummingbird
import NIOCore

/// A status and JSON body on its way out, with Stripe's headers.
struct StripeReply: Sendable {
    var status: Int
    var body: String
    var headers: [(name: String, value: String)] = []

    init(status: Int = 200, json: JSONValue, headers: [(name: String, value: String)] = []) {
        self.status = status
        self.body = json.serialized
        self.headers = headers
    }

    init(_ error: StripeError) {
        self.init(status: error.status, json: error.body, headers: error.headers)
    }

    init(replaying saved: SavedResponse) {
        status = saved.status
        body = saved.body
        headers = [("Idempotent-Replayed", "true"), ("Original-Request", saved.requestID)]
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
