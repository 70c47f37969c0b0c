/// A PaymentIntent as the sandbox keeps it; `json` renders Stripe's object.
struct PaymentIntent: Sendable {
    enum Status: String, Sendable {
        case requiresPaymentMethod = "requires_payment_method"
        case requiresConfirmation = "requires_confirmation"
        case requiresAction = "requires_action"
        case processing
        case requiresCapture = "requires_capture"
        case succeeded
        case canceled
    }

    /// `automatic_payment_methods`; absent when `payment_method_types` were given.
    struct AutomaticPaymentMethods: Sendable {
        var allowRedirects: String  // "always" | "never"
    }

    let id: String
    let clientSecret: String
    let created: Int
    var amount: Int
    let currency: String
    let captureMethod: String
    var status: Status
    var amountCapturable = 0
    var amountReceived = 0
    var paymentMethod: String?
    var paymentMethodTypes: [String]
    var automaticPaymentMethods: AutomaticPaymentMethods?
    var latestCharge: String?
    var lastPaymentError: StripeError?
    var metadata: [String: String]
    var description: String?
    var canceledAt: Int?
    var cancellationReason: String?
    var requiresAction = false
    /// The Radar Review of its charge (`prv_…`).
    var review: String?
    /// Successful confirmations (a hold placed or money taken), for the ledger.
    var confirmations = 0

    /// A server-side confirm must be able to finish without a redirect (stripe.md).
    var refusesRedirects: Bool { automaticPaymentMethods.map { $0.allowRedirects == "never" } ?? true }

    /// What Stripe.js needs to run the 3-D Secure 2 challenge; in the sandbox,
    /// `POST /_sandbox/payment_intents/{id}/authenticate` stands in for it.
    private var threeDSecureAction: JSONValue {
        [
            "type": "use_stripe_sdk",
            "use_stripe_sdk": [
                "type": "stripe_3ds2_fingerprint",
                "directory_server_name": "visa",
                "three_d_secure_2_source": .string("src_" + id.dropFirst(3)),
            ],
        ]
    }

    var json: JSONValue {
        [
            "id": .string(id),
            "object": "payment_intent",
            "amount": .int(amount),
            "amount_capturable": .int(amountCapturable),
            "amount_details": ["tip": [:]],
            "amount_received": .int(amountReceived),
            "application": nil,
            "application_fee_amount": nil,
            "automatic_payment_methods": automaticPaymentMethods.map {
                ["allow_redirects": .string($0.allowRedirects), "enabled": true]
            } ?? .null,
            "canceled_at": .optional(canceledAt),
            "cancellation_reason": .optional(cancellationReason),
            "capture_method": .string(captureMethod),
            "client_secret": .string(clientSecret),
            "confirmation_method": "automatic",
            "created": .int(created),
            "currency": .string(currency),
            "customer": nil,
            "description": .optional(description),
            "invoice": nil,
            "last_payment_error": lastPaymentError?.object ?? .null,
            "latest_charge": .optional(latestCharge),
            "livemode": false,
            "metadata": .strings(metadata),
            "next_action": requiresAction ? threeDSecureAction : .null,
            "on_behalf_of": nil,
            "payment_method": .optional(paymentMethod),
            "payment_method_configuration_details": nil,
            "payment_method_options": ["card": ["installments": nil, "mandate_options": nil, "network": nil, "request_three_d_secure": "automatic"]],
            "payment_method_types": .array(paymentMethodTypes.map(JSONValue.string)),
            "processing": nil,
            "receipt_email": nil,
            "review": .optional(review),
            "setup_future_usage": nil,
            "shipping": nil,
            "source": nil,
            "statement_descriptor": nil,
            "statement_descriptor_suffix": nil,
            "status": .string(status.rawValue),
            "transfer_data": nil,
            "transfer_group": nil,
        ]
    }
}
