import Hummingbird

/// `GET /metrics`: the Prometheus text exposition, rendered by whoever owns the metrics backend (the App).
struct MetricsRoutes {
    let render: @Sendable () async -> [UInt8]

    func register(on routes: RouteTable) {
        routes.get("metrics", .open) { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: await render())))
        }
    }
}
