import Foundation
import Hummingbird
import Payments
import Store
import Support

/// Subscriptions to pushed webhooks (`admin`): `/webhook-endpoints` and its secret rotation, delivery log,
/// redelivery and replay. The deliveries themselves run with the worker (`WebhookDeliverer`).
struct WebhookEndpointRoutes {
    static let defaultLimit = 100
    static let maxLimit = 500

    let database: Database
    /// `WEBHOOK_ALLOW_PRIVATE`: URLs with private, loopback or link-local literals are accepted.
    let allowPrivate: Bool

    func register(on routes: RouteTable) {
        routes.post("webhook-endpoints", .requires(.admin)) { request, context in try await create(request, context) }
        routes.get("webhook-endpoints", .requires(.admin)) { _, _ in try await list() }
        routes.get("webhook-endpoints/:id", .requires(.admin)) { _, context in try await show(context) }
        routes.add(.patch, "webhook-endpoints/:id", .requires(.admin)) { request, context in try await update(request, context) }
        routes.add(.delete, "webhook-endpoints/:id", .requires(.admin)) { request, context in try await delete(request, context) }
        routes.post("webhook-endpoints/:id/rotate-secret", .requires(.admin)) { request, context in try await rotate(request, context) }
        routes.get("webhook-endpoints/:id/deliveries", .requires(.admin)) { request, context in try await deliveries(request, context) }
        routes.post("webhook-endpoints/:id/deliveries/:eventId/retry", .requires(.admin)) { request, context in
            try await redeliver(request, context)
        }
        routes.post("webhook-endpoints/:id/replay", .requires(.admin)) { request, context in try await replay(request, context) }
    }

    func create(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var fields = try WebhookEndpointFields(try await request.jsonBody(), allowed: ["url", "events", "description"])
        let url = fields.required("url") { $0.url($1, allowPrivate: allowPrivate) }
        let events = fields.required("events") { $0.events($1) }
        let description = fields.value("description").flatMap { fields.description($0) } ?? nil
        try fields.checked()
        guard let url, let events else { throw APIProblem.invalid(fields.errors) }
        let by = try context.attribution(for: request)
        let secret = SigningSecrets.generate()
        let endpoint = try await stored { () async throws(StoreError) in
            try await database.createWebhookEndpoint(
                id: UUID().uuidString.lowercased(), url: url, events: events, description: description, secret: secret, by: by)
        }
        return JSONResponse.make(.created, json: endpoint.json(secret: secret), location: "/webhook-endpoints/\(endpoint.id)")
    }

    func list() async throws -> Response {
        let endpoints = try await stored { () async throws(StoreError) in try await database.webhookEndpoints() }
        return JSONResponse.make(.ok, json: "{\"endpoints\":[" + endpoints.map { $0.json() }.joined(separator: ",") + "]}")
    }

    func show(_ context: APIRequestContext) async throws -> Response {
        let id = try Self.endpointId(context)
        let endpoint = try await stored { () async throws(StoreError) in try await database.webhookEndpoint(id: id) }
        guard let endpoint else { throw Self.missing(id) }
        return JSONResponse.make(.ok, json: endpoint.json())
    }

    func update(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let id = try Self.endpointId(context)
        var fields = try WebhookEndpointFields(try await request.optionalJSONBody(), allowed: ["url", "events", "description", "enabled"])
        var change = WebhookEndpointChange()
        change.url = fields.value("url").flatMap { fields.url($0, allowPrivate: allowPrivate) }
        change.events = fields.value("events").flatMap { fields.events($0) }
        change.description = fields.value("description").flatMap { fields.description($0) }
        change.enabled = fields.value("enabled").flatMap { fields.bool("enabled", $0) }
        try fields.checked()
        let by = try context.attribution(for: request)
        let endpoint = try await stored { () async throws(StoreError) in try await database.updateWebhookEndpoint(id: id, change, by: by) }
        guard let endpoint else { throw Self.missing(id) }
        return JSONResponse.make(.ok, json: endpoint.json())
    }

    func delete(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let id = try Self.endpointId(context)
        let by = try context.attribution(for: request)
        guard try await stored({ () async throws(StoreError) in try await database.deleteWebhookEndpoint(id: id, by: by) }) else {
            throw Self.missing(id)
        }
        return Response(status: .noContent)
    }

    func rotate(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let id = try Self.endpointId(context)
        var fields = try WebhookEndpointFields(try await request.optionalJSONBody(), allowed: ["overlapSeconds"])
        let overlap = fields.value("overlapSeconds").flatMap { fields.overlap($0) } ?? SigningSecrets.defaultOverlap
        try fields.checked()
        let by = try context.attribution(for: request)
        let secret = SigningSecrets.generate()
        let until = Int(Date().timeIntervalSince1970) + overlap
        let endpoint = try await stored { () async throws(StoreError) in
            try await database.rotateWebhookSecret(id: id, secret: secret, previousUntil: until, by: by)
        }
        guard let endpoint else { throw Self.missing(id) }
        let body = "{\"endpoint\":\(endpoint.json()),\"previousSecretExpiresAt\":\(JSONString.quoted(UnixTime.rfc3339(until))),"
            + "\"secret\":\(JSONString.quoted(secret))}"
        return JSONResponse.make(.ok, json: body)
    }

    func deliveries(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let id = try Self.endpointId(context)
        let (before, limit) = try Self.page(request.uri.queryParameters)
        let log = try await stored { () async throws(StoreError) in
            try await database.webhookDeliveries(endpointId: id, before: before, limit: limit)
        }
        guard let log else { throw Self.missing(id) }
        let next = log.count == limit ? log.last.map { JSONString.quoted(String($0.id)) } ?? "null" : "null"
        return JSONResponse.make(.ok, json: "{\"deliveries\":[" + log.map(\.json).joined(separator: ",") + "],\"next\":\(next)}")
    }

    func redeliver(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let id = try Self.endpointId(context)
        let eventText = context.parameters.get("eventId") ?? ""
        guard let event = EventCursor(eventText) else { throw APIProblem(.notFound, detail: "no event \(eventText.prefix(64))") }
        _ = try WebhookEndpointFields(try await request.optionalJSONBody(), allowed: []).checked()
        let by = try context.attribution(for: request)
        let outcome = try await stored { () async throws(StoreError) in try await database.requestRedelivery(endpointId: id, event: event, by: by) }
        switch outcome {
        case .noEndpoint: throw Self.missing(id)
        case .noEvent: throw APIProblem(.notFound, detail: "no event \(event)")
        case .refused(let reason): throw APIProblem(.conflict, detail: reason)
        case .queued(let delivery): return JSONResponse.make(.accepted, json: delivery.json)
        }
    }

    func replay(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let id = try Self.endpointId(context)
        var fields = try WebhookEndpointFields(try await request.jsonBody(), allowed: ["after"])
        let after = fields.required("after") { $0.cursor($1) }
        try fields.checked()
        guard let after else { throw APIProblem.invalid(fields.errors) }
        let by = try context.attribution(for: request)
        let outcome = try await stored { () async throws(StoreError) in try await database.replayWebhookEndpoint(id: id, after: after, by: by) }
        switch outcome {
        case .notFound: throw Self.missing(id)
        case .ahead(let current):
            throw APIProblem(.conflict, detail: "\(after) is ahead of the endpoint's cursor \(current): moving there would skip events")
        case .moved(let endpoint): return JSONResponse.make(.ok, json: endpoint.json())
        }
    }

    static func page(_ query: Parameters) throws(APIProblem) -> (before: Int?, limit: Int) {
        var errors: [FieldError] = []
        let before = query.get("before").map { Formats.boundedInt($0, 0...Int(Int64.max)) }
        if case .some(nil) = before { errors.append(FieldError(parameter: "before", "not a cursor from this log (a page's next)")) }
        let limit = query.get("limit").map { Formats.boundedInt($0, 1...maxLimit) }
        if case .some(nil) = limit { errors.append(FieldError(parameter: "limit", "must be an integer from 1 to \(maxLimit)")) }
        guard errors.isEmpty else { throw APIProblem.invalid(errors) }
        return (before ?? nil, (limit ?? nil) ?? defaultLimit)
    }

    private static func endpointId(_ context: APIRequestContext) throws(APIProblem) -> String {
        let id = context.parameters.get("id") ?? ""
        guard Formats.isUUID(id) else { throw missing(String(id.prefix(64))) }
        return id.lowercased()
    }

    private static func missing(_ id: String) -> APIProblem { APIProblem(.notFound, detail: "no webhook endpoint \(id)") }
}
