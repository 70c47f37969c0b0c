/// One invalid field of a request: an `errors` entry of a problem+json answer.
public struct FieldError: Sendable, Equatable, Codable {
    /// RFC 6901 pointer into the body (`/amount`), or the query parameter's name in `parameter`.
    public var pointer: String?
    public var parameter: String?
    public var detail: String

    public init(pointer: String, _ detail: String) {
        self.pointer = pointer
        self.parameter = nil
        self.detail = detail
    }

    public init(parameter: String, _ detail: String) {
        self.pointer = nil
        self.parameter = parameter
        self.detail = detail
    }
}

/// Every invalid field of one request.
struct ValidationFailure: Error, Equatable {
    var errors: [FieldError]

    init(_ errors: [FieldError]) {
        self.errors = errors
    }
}
