import HTTPTypes
import Hummingbird
import Payments

/// The request context of the Payment API: Hummingbird's core storage plus who is calling, which the bearer
/// check of a protected route fills in, and the request's id.
public struct APIRequestContext: RequestContext, IdentifiedRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Authentication off (sandbox mode) or an open route: every scope, the one shared idempotency scope.
    var caller = Caller.unauthenticated
    var requestId: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// The caller's idempotency scope: the credential's name, or a plain token's digest.
    var callerScope: String { caller.idempotencyScope }

    /// Who makes this request's write, with its `X-Reason`: 400 unless it is at most 500 printable ASCII
    /// characters. A header's bytes are not known to be UTF-8 (one that is not arrives here as U+FFFD), so only
    /// ASCII is taken as written.
    func attribution(for request: Request) throws(APIProblem) -> Attribution {
        let reason = request.headers[.reason]
        if let reason, reason.utf8.count > Attribution.maxReasonLength || !reason.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) {
            throw APIProblem.invalid([FieldError(parameter: "X-Reason", "at most \(Attribution.maxReasonLength) printable ASCII characters")])
        }
        return Attribution(actor: caller.actor, reason: reason?.isEmpty == true ? nil : reason, requestId: requestId)
    }
}

/// A context that keeps the id `RequestIDMiddleware` gave its request.
protocol IdentifiedRequestContext: RequestContext {
    var requestId: String? { get set }
}

extension HTTPField.Name {
    static let reason = HTTPField.Name("X-Reason")!
}
