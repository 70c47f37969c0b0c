/// The processor's vocabulary (intents, refunds, classified results) comes with the gateway that speaks it.
@_exported import StripeModels
