/// One HTTP request for `CurlHTTPClient`.
public struct CurlRequest: Sendable {
    /// `GET`, `POST`, `HEAD`, or any other method (sent as a custom request with the body).
    public var method: String
    public var url: String
    /// Sent in this order; a name may repeat.
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(method: String, url: String, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}
