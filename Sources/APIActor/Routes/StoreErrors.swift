import Store

extension StoreError {
    /// How a database failure reaches a client: unreachable is a 503 to retry; anything else is our fault.
    var problem: APIProblem {
        switch code {
        case .unavailable: .unavailable
        default: APIProblem(.internalServerError, detail: "the request could not be recorded; nothing was changed")
        }
    }
}

/// Runs a store call, turning its failure into the problem the client sees.
func stored<T>(_ body: () async throws(StoreError) -> T) async throws(APIProblem) -> T {
    do {
        return try await body()
    } catch {
        throw error.problem
    }
}
