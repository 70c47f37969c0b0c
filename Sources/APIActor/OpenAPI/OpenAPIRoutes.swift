import Hummingbird

/// `GET /openapi.json`: the document of this API, open like health and metrics.
struct OpenAPIRoutes {
    func register(on routes: RouteTable) {
        routes.get("openapi.json", .open) { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
    }
}
