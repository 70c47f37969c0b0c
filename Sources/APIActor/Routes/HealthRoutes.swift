import Hummingbird
import Store

/// Liveness (the process answers) and readiness (the database is reachable and migrated). Readiness is about
/// the database alone, so the intake keeps committing while the processor refuses the key; `processor` says
/// where the processor stands (`ok`, `credentials_refused`).
struct HealthRoutes {
    let database: Database
    let processorStatus: @Sendable () -> String

    func register(on routes: RouteTable) {
        routes.get("health/live", .open) { _, _ in try JSONResponse.make(.ok, ["status": "live"]) }
        routes.get("health/ready", .open) { _, _ in
            guard await database.isReady() else {
                throw APIProblem(.serviceUnavailable, detail: "the database is unreachable or not migrated", retryAfter: 2)
            }
            return try JSONResponse.make(.ok, ["status": "ready", "processor": processorStatus()])
        }
    }
}
