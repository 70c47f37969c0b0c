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

    /// Who makes this request's write, with its `X-Reason`: 400 when the reason is longer than 500 characters
    /// (Unicode scalars, as PostgreSQL's `char_length` counts them) or holds a control character.
    func attribution(for request: Request) throws(APIProblem) -> Attribution {
        let reason = request.headers[.reason]
        if let reason, reason.unicodeScalars.count > Attribution.maxReasonLength || reason.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw APIProblem.invalid([FieldError(parameter: "X-Reason", "at most \(Attribution.maxReasonLength) characters, none of them control characters")])
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
