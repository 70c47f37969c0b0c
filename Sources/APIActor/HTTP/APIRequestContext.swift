import Hummingbird

/// The request context of the Payment API: Hummingbird's core storage plus who is calling, which the
/// bearer-token check of a protected route fills in.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The idempotency scope of the caller: the digest of the matched token, or the one shared scope when
    /// authentication is off (sandbox mode) or the route is open.
    var callerScope = CallerScope.shared

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}
