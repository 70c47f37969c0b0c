/// The Stripe calls the service makes. `StripeClient` speaks them over HTTP with libcurl; actor-level
/// unit tests give the worker a fake.
public protocol StripeAPI: Sendable {
    /// Creates an unconfirmed intent (`payment_method_types[]=card`): moves no money.
    func createPaymentIntent(_ params: CreatePaymentIntentParams, idempotencyKey: String) async -> StripeResult<StripePaymentIntent>
    /// Confirms by id with `payment_method`: the call that moves money. Off session (`off_session=true`, the
    /// customer is not there) a card that needs authentication is declined; on session it answers `requires_action`.
    func confirmPaymentIntent(id: String, paymentMethod: String, offSession: Bool, idempotencyKey: String) async -> StripeResult<StripePaymentIntent>
    func retrievePaymentIntent(id: String) async -> StripeResult<StripePaymentIntent>
    /// `GET /v1/payment_intents/search?query=metadata['key']:'value'` (eventually consistent).
    func searchPaymentIntents(metadataKey: String, value: String) async -> StripeResult<[StripePaymentIntent]>
    func capturePaymentIntent(id: String, amountToCapture: Int?, idempotencyKey: String) async -> StripeResult<StripePaymentIntent>
    /// `reason`: Stripe's `cancellation_reason` (`abandoned` when the customer never authenticated).
    func cancelPaymentIntent(id: String, reason: String?, idempotencyKey: String) async -> StripeResult<StripePaymentIntent>
    func createRefund(_ params: CreateRefundParams, idempotencyKey: String) async -> StripeResult<StripeRefund>
    func retrieveRefund(id: String) async -> StripeResult<StripeRefund>
    /// `GET /v1/refunds?payment_intent=…`
    func listRefunds(paymentIntent: String) async -> StripeResult<[StripeRefund]>
    /// `GET /v1/disputes/{id}`: a dispute event is never trusted alone.
    func retrieveDispute(id: String) async -> StripeResult<StripeDispute>
}

extension StripeAPI {
    /// Off session, as every payment without `customerPresent`.
    public func confirmPaymentIntent(id: String, paymentMethod: String, idempotencyKey: String) async -> StripeResult<StripePaymentIntent> {
        await confirmPaymentIntent(id: id, paymentMethod: paymentMethod, offSession: true, idempotencyKey: idempotencyKey)
    }

    public func cancelPaymentIntent(id: String, idempotencyKey: String) async -> StripeResult<StripePaymentIntent> {
        await cancelPaymentIntent(id: id, reason: nil, idempotencyKey: idempotencyKey)
    }
}
