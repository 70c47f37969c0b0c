import Hummingbird
import Store

/// Liveness (the process answers) and readiness (the database is reachable and migrated).
struct HealthRoutes {
    let database: Database

    func register(on routes: RouteTable) {
        routes.get("health/live", .open) { _, _ in try JSONResponse.make(.ok, ["status": "live"]) }
        routes.get("health/ready", .open) { _, _ in
            guard await database.isReady() else {
                throw APIProblem(.serviceUnavailable, detail: "the database is unreachable or not migrated", retryAfter: 2)
            }
            return try JSONResponse.make(.ok, ["status": "ready"])
        }
    }
}
