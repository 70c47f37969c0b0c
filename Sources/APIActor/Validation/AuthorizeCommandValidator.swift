import Payments

/// Turns an AuthorizePayment body into a command, or names every invalid field: the schema
/// (`authorize-payment.schema.json`) plus the contract's rules.
struct AuthorizeCommandValidator {
    static let amountRange = 1...99_999_999
    static let fields: Set<String> = ["cartId", "customerId", "amount", "currency", "orderId", "paymentMethod", "capture", "metadata",
        "customerPresent",
    ]
    static let reservedMetadataKeys: Set<String> = ["payment_id", "order_id"]

    /// Used when a command names no `paymentMethod` (`DEFAULT_PAYMENT_METHOD`); nil: the field is required.
    var defaultPaymentMethod: String?

    func validate(_ value: JSONValue) -> Result<AuthorizeCommand, ValidationFailure> {
        guard case .object(let members) = value else {
            return .failure(ValidationFailure([FieldError(pointer: "", "the body must be a JSON object, not \(value.typeName)")]))
        }
        var errors: [FieldError] = []
        var fields: [String: JSONValue] = [:]
        for (key, value) in members {
            if Self.fields.contains(key) {
                fields[key] = value
            } else {
                errors.append(FieldError(pointer: "/" + JSONPointer.escape(key), "unknown field"))
            }
        }
        let cartId = uuid(fields["cartId"], "cartId", required: true, &errors)
        let customerId = uuid(fields["customerId"], "customerId", required: false, &errors)
        let orderId = uuid(fields["orderId"], "orderId", required: false, &errors)
        let amount = amount(fields["amount"], &errors)
        let currency = currency(fields["currency"], &errors)
        let paymentMethod = paymentMethod(fields["paymentMethod"], &errors)
        let capture = capture(fields["capture"], &errors)
        let metadata = metadata(fields["metadata"], &errors)
        let customerPresent = customerPresent(fields["customerPresent"], &errors)
        guard errors.isEmpty, let cartId, let amount, let currency, let paymentMethod else {
            return .failure(ValidationFailure(errors))
        }
        return .success(AuthorizeCommand(
            cartId: cartId, customerId: customerId, amount: amount, currency: currency, orderId: orderId,
            paymentMethod: paymentMethod, capture: capture, metadata: metadata, customerPresent: customerPresent))
    }

    /// An extension field: absent is false.
    private func customerPresent(_ value: JSONValue?, _ errors: inout [FieldError]) -> Bool {
        guard let value else { return false }
        guard case .bool(let present) = value else {
            errors.append(FieldError(pointer: "/customerPresent", "must be true or false"))
            return false
        }
        return present
    }

    private func uuid(_ value: JSONValue?, _ name: String, required: Bool, _ errors: inout [FieldError]) -> String? {
        guard let value else {
            if required { errors.append(FieldError(pointer: "/\(name)", "required")) }
            return nil
        }
        guard case .string(let text) = value, Formats.isUUID(text) else {
            errors.append(FieldError(pointer: "/\(name)", "must be a UUID string (8-4-4-4-12 hexadecimal digits)"))
            return nil
        }
        return text
    }

    private func amount(_ value: JSONValue?, _ errors: inout [FieldError]) -> Int? {
        guard let value else {
            errors.append(FieldError(pointer: "/amount", "required"))
            return nil
        }
        guard let amount = value.integer, Self.amountRange.contains(amount) else {
            errors.append(FieldError(pointer: "/amount", "must be an integer from 1 to 99999999 (minor units)"))
            return nil
        }
        return amount
    }

    private func currency(_ value: JSONValue?, _ errors: inout [FieldError]) -> String? {
        guard let value else {
            errors.append(FieldError(pointer: "/currency", "required"))
            return nil
        }
        guard case .string(let code) = value, Formats.isCurrencyShape(code) else {
            errors.append(FieldError(pointer: "/currency", "must be an upper-case ISO 4217 code such as USD"))
            return nil
        }
        guard Currency.isKnown(code) else {
            errors.append(FieldError(pointer: "/currency", "\(code) is not a known ISO 4217 currency"))
            return nil
        }
        return code
    }

    private func paymentMethod(_ value: JSONValue?, _ errors: inout [FieldError]) -> String? {
        guard let value else {
            if defaultPaymentMethod == nil {
                errors.append(FieldError(pointer: "/paymentMethod", "required: no default payment method is configured"))
            }
            return defaultPaymentMethod
        }
        guard case .string(let id) = value, Formats.isPaymentMethod(id) else {
            errors.append(FieldError(pointer: "/paymentMethod", "must be a processor PaymentMethod id (pm_…)"))
            return nil
        }
        return id
    }

    private func capture(_ value: JSONValue?, _ errors: inout [FieldError]) -> CaptureMode {
        guard let value else { return .manual }
        guard case .string(let text) = value, let mode = CaptureMode(rawValue: text) else {
            errors.append(FieldError(pointer: "/capture", "must be \"manual\" or \"automatic\""))
            return .manual
        }
        return mode
    }

    private func metadata(_ value: JSONValue?, _ errors: inout [FieldError]) -> [String: String] {
        guard let value else { return [:] }
        guard case .object(let members) = value else {
            errors.append(FieldError(pointer: "/metadata", "must be an object of strings"))
            return [:]
        }
        if members.count > 20 {
            errors.append(FieldError(pointer: "/metadata", "at most 20 keys"))
        }
        var result: [String: String] = [:]
        for (key, value) in members {
            let pointer = "/metadata/" + JSONPointer.escape(key)
            if let problem = Self.metadataKeyProblem(key) { errors.append(FieldError(pointer: pointer, problem)) }
            guard case .string(let text) = value, text.unicodeScalars.count <= 500 else {
                errors.append(FieldError(pointer: pointer, "must be a string of at most 500 characters"))
                continue
            }
            result[key] = text
        }
        return result
    }

    /// Why a metadata key is refused, or nil. Lengths count characters as the schema's maxLength does (RFC 8259
    /// characters: code points), not graphemes.
    static func metadataKeyProblem(_ key: String) -> String? {
        if key.isEmpty || key.unicodeScalars.count > 40 || key.contains("[") || key.contains("]") {
            return "keys are 1 to 40 characters, without square brackets"
        }
        return reservedMetadataKeys.contains(key) ? "\(key) is reserved for the service" : nil
    }
}
