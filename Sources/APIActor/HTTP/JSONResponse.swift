import Foundation
import Hummingbird

enum JSONResponse {
    static func make<T: Encodable>(_ status: HTTPResponse.Status, _ value: T, location: String? = nil) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if let location { headers[.location] = location }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
