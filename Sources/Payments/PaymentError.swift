/// The last operation (capture, void, refund) the processor refused for good.
public struct PaymentError: Sendable, Codable, Equatable {
    public var operation: String
    public var code: String
    public var message: String
    public var at: String

    public init(operation: String, code: String, message: String, at: String) {
        self.operation = operation
        self.code = code
        self.message = message
        self.at = at
    }
}
