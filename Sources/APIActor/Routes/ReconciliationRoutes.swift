import Hummingbird
import Payments
import Store

/// `GET /reconciliation/runs` (the newest runs first) and `GET /reconciliation/runs/{id}` (a run with its items).
struct ReconciliationRoutes {
    let database: Database
    /// How many runs the list shows.
    static let listed = 100

    func register(on routes: RouteTable) {
        routes.get("reconciliation/runs", .requires(.admin)) { _, _ in try await list() }
        routes.get("reconciliation/runs/:id", .requires(.admin)) { _, context in try await show(context.parameters.get("id") ?? "") }
    }

    func list() async throws -> Response {
        let runs = try await stored { () async throws(StoreError) in try await database.reconciliationRuns(limit: Self.listed) }
        return try JSONResponse.make(.ok, RunList(runs: runs.map(RunSummary.init)))
    }

    func show(_ id: String) async throws -> Response {
        guard Formats.isUUID(id) else { throw APIProblem(.notFound, detail: "no reconciliation run \(id.prefix(64))") }
        let run = try await stored { () async throws(StoreError) in try await database.reconciliationRun(id: id.lowercased()) }
        guard let run else { throw APIProblem(.notFound, detail: "no reconciliation run \(id)") }
        return try JSONResponse.make(.ok, RunDetail(run))
    }
}

private struct RunList: Encodable {
    var runs: [RunSummary]
}

/// A run's summary: `finishedAt` and `error` are null until it ends (and `error` unless it ended incomplete).
private struct RunSummary: Encodable {
    var run: ReconciliationRunSummary

    init(_ run: ReconciliationRunSummary) { self.run = run }

    enum CodingKeys: String, CodingKey {
        case runId, startedAt, finishedAt, since, status, trigger, error, itemCount, unresolvedCount
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(run.runId, forKey: .runId)
        try c.encode(run.startedAt, forKey: .startedAt)
        try c.encode(run.finishedAt, forKey: .finishedAt)
        try c.encode(run.since, forKey: .since)
        try c.encode(run.status.rawValue, forKey: .status)
        try c.encode(run.trigger.rawValue, forKey: .trigger)
        try c.encode(run.error, forKey: .error)
        try c.encode(run.items, forKey: .itemCount)
        try c.encode(run.unresolved, forKey: .unresolvedCount)
    }
}

private struct RunDetail: Encodable {
    var summary: RunSummary
    var items: [Item]

    init(_ run: ReconciliationRunDetail) {
        summary = RunSummary(run.summary)
        items = run.items.map(Item.init)
    }

    enum CodingKeys: String, CodingKey { case items }

    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(items, forKey: .items)
    }
}

/// `paymentId` is left out when the processor's object names no payment this service knows the id of.
private struct Item: Encodable {
    var kind: String
    var paymentId: String?
    var processorReference: String
    var detail: String
    var healed: Bool

    init(_ item: ReconciliationItem) {
        kind = item.kind.rawValue
        paymentId = item.paymentId
        processorReference = item.processorReference
        detail = item.detail
        healed = item.healed
    }
}
