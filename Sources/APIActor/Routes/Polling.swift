import Store

/// `Prefer: wait`: polls the record (any instance's worker may change it) until `done` or the limit.
enum Polling {
    static func until(limit: Duration, _ done: () async throws(StoreError) -> Bool) async throws(APIProblem) -> Bool {
        let deadline = ContinuousClock.now + limit
        var pause = Duration.milliseconds(10)
        while true {
            if try await stored(done) { return true }
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: min(pause, deadline - ContinuousClock.now))
            pause = min(pause * 2, .milliseconds(200))
        }
    }
}
