extension StripeResult {
    /// Transforms the success value; every other outcome passes through.
    public func map<Other: Sendable>(_ transform: (Value) -> Other) -> StripeResult<Other> {
        switch self {
        case .success(let value): .success(transform(value))
        case .declined(let error, let intent): .declined(error, paymentIntent: intent)
        case .rejected(let status, let error): .rejected(status: status, error)
        case .retryable(let failure): .retryable(failure)
        case .unknown(let failure): .unknown(failure)
        }
    }
}
