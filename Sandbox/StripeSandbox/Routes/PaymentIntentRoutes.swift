/// `/v1/payment_intents…`: parameter validation (never saved under an idempotency key), then the state.
struct PaymentIntentRoutes: Sendable {
    let state: SandboxState
    let faults: FaultInjector

    private static let createParams: Set<String> = [
        "amount", "currency", "capture_method", "payment_method_types", "automatic_payment_methods", "metadata",
        "description", "payment_method", "confirm", "off_session", "return_url", "customer", "statement_descriptor",
        "statement_descriptor_suffix", "receipt_email", "setup_future_usage", "confirmation_method", "expand",
        "error_on_requires_action", "payment_method_options", "shipping", "transfer_group", "use_stripe_sdk",
        "on_behalf_of", "mandate", "mandate_data", "radar_options",
    ]
    private static let confirmParams: Set<String> = [
        "payment_method", "off_session", "return_url", "expand", "error_on_requires_action", "mandate",
        "mandate_data", "payment_method_options", "use_stripe_sdk", "receipt_email", "setup_future_usage",
        "shipping", "radar_options",
    ]

    func create(_ params: FormParams) async throws(StripeError) -> JSONValue {
        try params.rejectUnknown(allowed: Self.createParams)
        let amount = try params.requiredInt("amount")
        let currency = try params.requiredString("currency").lowercased()
        guard Currency.supported.contains(currency) else {
            throw .invalidRequest("Invalid currency: \(currency). Stripe currently supports these currencies: \(Currency.supported.sorted().joined(separator: ", "))", param: "currency")
        }
        try Currency.checkChargeAmount(amount, currency)
        let expand = try Expansion(params, allowed: Expansion.intentPaths)
        let captureMethod = try params.enumValue("capture_method", among: ["automatic", "automatic_async", "manual"]) ?? "automatic_async"
        let (types, automatic) = try paymentMethodTypes(params)
        let paymentMethod = try params.string("payment_method")
        if let paymentMethod { try Self.checkKnown(paymentMethod) }
        let confirm = try params.bool("confirm") ?? false
        let offSession = try Self.offSession(params)
        if offSession && !confirm {
            throw .invalidRequest("You may only specify `off_session` when `confirm=true`.", param: "off_session")
        }
        let command = CreateIntentCommand(
            amount: amount, currency: currency, captureMethod: captureMethod, paymentMethodTypes: types,
            automaticPaymentMethods: automatic, paymentMethod: paymentMethod,
            confirm: confirm
                ? ConfirmCommand(paymentMethod: nil, offSession: offSession, returnURL: try params.string("return_url"), expand: expand)
                : nil,
            metadata: try params.metadata(), description: try params.string("description"), expand: expand
        )
        return try await state.createPaymentIntent(command)
    }

    func confirm(_ id: String, _ params: FormParams) async throws(StripeError) -> JSONValue {
        try params.rejectUnknown(allowed: Self.confirmParams)
        let paymentMethod = try params.string("payment_method")
        if let paymentMethod { try Self.checkKnown(paymentMethod) }
        let command = ConfirmCommand(
            paymentMethod: paymentMethod, offSession: try Self.offSession(params), returnURL: try params.string("return_url"),
            expand: try Expansion(params, allowed: Expansion.intentPaths)
        )
        return try await state.confirmPaymentIntent(id, command)
    }

    func retrieve(_ id: String, _ params: FormParams) async throws(StripeError) -> JSONValue {
        try params.rejectUnknown(allowed: ["client_secret", "expand"])
        return try await state.retrievePaymentIntent(id, expand: try Expansion(params, allowed: Expansion.intentPaths))
    }

    func capture(_ id: String, _ params: FormParams, refused: Bool) async throws(StripeError) -> JSONValue {
        try params.rejectUnknown(allowed: [
            "amount_to_capture", "metadata", "expand", "final_capture", "statement_descriptor",
            "statement_descriptor_suffix", "application_fee_amount",
        ])
        let amount = try params.int("amount_to_capture")
        if let amount, amount < 1 {
            throw .invalidRequest("This value must be greater than or equal to 1.", param: "amount_to_capture")
        }
        let expand = try Expansion(params, allowed: Expansion.intentPaths)
        return try await state.capturePaymentIntent(id, amountToCapture: amount, refused: refused, expand: expand)
    }

    func cancel(_ id: String, _ params: FormParams, refused: Bool) async throws(StripeError) -> JSONValue {
        try params.rejectUnknown(allowed: ["cancellation_reason", "expand"])
        let reason = try params.enumValue(
            "cancellation_reason", among: ["duplicate", "fraudulent", "requested_by_customer", "abandoned"]
        )
        let expand = try Expansion(params, allowed: Expansion.intentPaths)
        return try await state.cancelPaymentIntent(id, reason: reason, refused: refused, expand: expand)
    }

    func list(_ params: FormParams) async throws(StripeError) -> JSONValue {
        try params.rejectUnknown(allowed: ListQuery.parameters.union(["customer"]))
        let query = try ListQuery(params)
        let expand = try Expansion(params, allowed: Expansion.intentListPaths).inside("data.")
        return try await state.listPaymentIntents(query, customer: try params.string("customer"), expand: expand)
    }

    func search(_ params: FormParams) async throws(StripeError) -> JSONValue {
        try params.rejectUnknown(allowed: ["query", "limit", "page", "expand"])
        let query = try SearchQuery(try params.requiredString("query"))
        let limit = try params.limit()
        let found = await state.search(query, lag: await faults.searchLag, limit: limit)
        return [
            "object": "search_result",
            "data": .array(found),
            "has_more": false,
            "next_page": nil,
            "url": "/v1/payment_intents/search",
        ]
    }

    private static func checkKnown(_ paymentMethod: String) throws(StripeError) {
        guard TestPaymentMethod.lookup(paymentMethod) != nil else {
            throw .noSuch("PaymentMethod", id: paymentMethod, param: "payment_method", status: 400)
        }
    }

    /// `off_session` is a boolean, or `one_off` / `recurring` (both mean true).
    private static func offSession(_ params: FormParams) throws(StripeError) -> Bool {
        switch try params.string("off_session") {
        case nil, "false": false
        case "true", "one_off", "recurring": true
        default: throw .invalidRequest("Invalid boolean: off_session", code: "parameter_invalid_boolean", param: "off_session")
        }
    }

    /// `payment_method_types[]` or `automatic_payment_methods[…]` (not both); neither means automatic
    /// payment methods that allow redirects, as in Stripe since 2023-08-16.
    private func paymentMethodTypes(
        _ params: FormParams
    ) throws(StripeError) -> ([String], PaymentIntent.AutomaticPaymentMethods?) {
        let types = params["payment_method_types"]
        let automatic = params["automatic_payment_methods"]
        if types != nil && automatic != nil {
            throw .invalidRequest(
                "You may only specify one of these parameters: automatic_payment_methods, payment_method_types.",
                param: "automatic_payment_methods"
            )
        }
        if let types {
            guard let list = types.array?.compactMap(\.string), !list.isEmpty else {
                throw .invalidParameter("payment_method_types")
            }
            if let other = list.first(where: { $0 != "card" }) {
                throw .invalidRequest(
                    "The payment method type \"\(other)\" is invalid. The sandbox supports only \"card\".",
                    param: "payment_method_types"
                )
            }
            return (list, nil)
        }
        guard let automatic else { return (["card"], .init(allowRedirects: "always")) }
        guard let fields = automatic.object else { throw .invalidParameter("automatic_payment_methods") }
        if let unknown = fields.keys.sorted().first(where: { $0 != "enabled" && $0 != "allow_redirects" }) {
            throw .unknownParameter("automatic_payment_methods[\(unknown)]")
        }
        guard let enabled = fields["enabled"]?.string else { throw .missingParameter("automatic_payment_methods[enabled]") }
        guard enabled == "true" || enabled == "false" else { throw .invalidParameter("automatic_payment_methods[enabled]") }
        guard enabled == "true" else { return (["card"], nil) }
        let redirects = fields["allow_redirects"]?.string ?? "always"
        guard redirects == "always" || redirects == "never" else {
            throw .invalidParameter("automatic_payment_methods[allow_redirects]")
        }
        return (["card"], .init(allowRedirects: redirects))
    }
}
