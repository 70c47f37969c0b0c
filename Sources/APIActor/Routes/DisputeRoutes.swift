import Hummingbird
import Payments
import Store

/// `GET /payments/{id}/disputes` and `GET /disputes/{id}`: the processor's disputes of a payment, as last read back.
struct DisputeRoutes {
    let database: Database

    func register(on routes: RouteTable) {
        routes.get("payments/:id/disputes", .requires(.read)) { _, context in try await list(context.parameters.get("id") ?? "") }
        routes.get("disputes/:id", .requires(.read)) { _, context in try await show(context.parameters.get("id") ?? "") }
    }

    func list(_ id: String) async throws -> Response {
        guard Formats.isUUID(id) else { throw APIProblem(.notFound, detail: "no payment \(id.prefix(64))") }
        let disputes = try await stored { () async throws(StoreError) in try await database.disputes(paymentId: id.lowercased()) }
        guard let disputes else { throw APIProblem(.notFound, detail: "no payment \(id)") }
        return JSONResponse.make(.ok, disputes: disputes)
    }

    func show(_ id: String) async throws -> Response {
        guard Formats.isUUID(id) else { throw APIProblem(.notFound, detail: "no dispute \(id.prefix(64))") }
        let dispute = try await stored { () async throws(StoreError) in try await database.dispute(id: id.lowercased()) }
        guard let dispute else { throw APIProblem(.notFound, detail: "no dispute \(id)") }
        return JSONResponse.make(.ok, dispute)
    }
}
