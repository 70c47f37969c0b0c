/// Why a request got no whole answer. `kind` is what retries hinge on: `notSent` means the server
/// cannot have acted on the request, `noAnswer` means it may have.
public struct HTTPTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// No request byte reached the network (resolve, connect or TLS failed; the client was shut
        /// down or the call cancelled before sending), or the body was cut off before curl took it
        /// all. Safe to send again.
        case notSent
        /// The request was fully sent, then a time-out, a dropped connection, an empty or cut reply.
        case noAnswer
    }

    public var kind: Kind
    /// A stable name for logs: libcurl's error (`couldnt_connect`, `operation_timedout`, …),
    /// `shutdown` or `cancelled`.
    public var code: String
    public var message: String

    public init(kind: Kind, code: String, message: String) {
        self.kind = kind
        self.code = code
        self.message = message
    }

    public static func notSent(code: String, message: String) -> HTTPTransportError {
        HTTPTransportError(kind: .notSent, code: code, message: message)
    }

    public static func noAnswer(code: String, message: String) -> HTTPTransportError {
        HTTPTransportError(kind: .noAnswer, code: code, message: message)
    }

    public var description: String { "\(kind.rawValue) (\(code)): \(message)" }
}
