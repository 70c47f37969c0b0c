/// An answer that came back whole (any status).
public struct CurlResponse: Sendable, Equatable {
    public var status: Int
    /// Names lower-cased; repeated headers joined with ", ".
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
