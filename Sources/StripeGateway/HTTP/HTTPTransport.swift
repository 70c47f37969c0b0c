/// What `StripeClient` sends its requests through: `CurlHTTPClient` on the wire, a fake in unit tests.
protocol HTTPTransport: Sendable {
    /// The whole answer (any status), or why none came; `HTTPTransportError.kind` says whether the request
    /// may have reached the server.
    func send(_ request: CurlRequest) async throws(HTTPTransportError) -> CurlResponse
}

extension CurlHTTPClient: HTTPTransport {}
