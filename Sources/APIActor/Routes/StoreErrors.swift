import Store

extension StoreError {
    /// How a database failure reaches a client: unreachable is a 503 to retry; anything else is our fault.
    var problem: APIProblem {
        if code == .unavailable { return .unavailable }
        if code == .outcomeUnknown { return .outcomeUnknown }
        if isDataException {
            let pointer = column.flatMap { Self.pointers[$0] } ?? ""
            return .invalid([FieldError(pointer: pointer, "the value cannot be stored (SQLSTATE \(sqlState ?? "22"))")])
        }
        return APIProblem(.internalServerError, detail: "the request could not be recorded; nothing was changed")
    }

    /// The body field each column of a command is stored in.
    private static let pointers = [
        "cart_id": "/cartId", "order_id": "/orderId", "customer_id": "/customerId", "amount": "/amount", "currency": "/currency",
        "capture_mode": "/capture", "payment_method": "/paymentMethod", "metadata": "/metadata", "reason": "/reason",
    ]
}

/// Runs a store call, turning its failure into the problem the client sees.
func stored<T>(_ body: () async throws(StoreError) -> T) async throws(APIProblem) -> T {
    do {
        return try await body()
    } catch {
        throw error.problem
    }
}
