/// An answer as it went out, kept to replay under its idempotency key.
struct SavedResponse: Sendable {
    let status: Int
    let body: String
    let requestID: String
}

/// Stripe's idempotency (stripe.md): the first request that began executing under a key has its
/// answer saved and replayed; keys are scoped to the API key that used them.
actor IdempotencyStore {
    struct Scope: Hashable, Sendable {
        let apiKey: String
        let key: String
    }

    enum Claim: Sendable {
        /// The caller executes the request and must then `finish` or `release` the key.
        case execute
        case replay(SavedResponse)
        case differentParameters
        case inFlight
    }

    private enum Entry {
        case inFlight(fingerprint: String)
        case saved(fingerprint: String, response: SavedResponse, at: ContinuousClock.Instant)
    }

    static let retention: Duration = .seconds(24 * 3600)
    private var entries: [Scope: Entry] = [:]

    func claim(_ scope: Scope, fingerprint: String) -> Claim {
        switch entries[scope] {
        case nil:
            entries[scope] = .inFlight(fingerprint: fingerprint)
            return .execute
        case .inFlight(let saved):
            return saved == fingerprint ? .inFlight : .differentParameters
        case .saved(let saved, let response, let at):
            if ContinuousClock.now - at > Self.retention {
                entries[scope] = .inFlight(fingerprint: fingerprint)
                return .execute
            }
            return saved == fingerprint ? .replay(response) : .differentParameters
        }
    }

    func finish(_ scope: Scope, with response: SavedResponse) {
        guard case .inFlight(let fingerprint) = entries[scope] else { return }
        entries[scope] = .saved(fingerprint: fingerprint, response: response, at: .now)
    }

    /// The request was refused before executing: nothing is saved.
    func release(_ scope: Scope) {
        if case .inFlight = entries[scope] { entries[scope] = nil }
    }

    func reset() { entries = [:] }
}
