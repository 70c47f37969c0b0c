import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A stand-in OpenTelemetry collector on an ephemeral loopback port: it takes OTLP/HTTP JSON export requests at
/// `/v1/traces` and keeps their spans, for tests that follow a trace through the service's processes.
public final class OTLPReceiver: Sendable {
    /// What to set `OTEL_EXPORTER_OTLP_ENDPOINT` to.
    public let endpoint: String
    private let received: Received
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(port: Int, received: Received, group: ServiceGroup, task: Task<Void, any Error>) {
        endpoint = "http://127.0.0.1:\(port)"
        self.received = received
        self.group = group
        self.task = task
    }

    public static func start() async throws -> OTLPReceiver {
        let received = Received()
        let router = Router()
        router.post("/v1/traces") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 16 << 20)
            received.bodies.withLock { $0.append(Data(buffer: body)) }
            received.authorizations.withLock { $0.insert(request.headers[.authorization] ?? "") }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
        }
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let logger = Logger(label: "otlp-receiver")
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
            onServerRunning: { channel in portSink.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger))
        let task = Task {
            defer { portSink.finish() }
            try await group.run()
        }
        for await port in ports {
            return OTLPReceiver(port: port, received: received, group: group, task: task)
        }
        try await task.value
        throw HarnessError(message: "the OTLP receiver stopped before it listened")
    }

    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// The `Authorization` headers the export requests came with ("" for none).
    public var authorizations: Set<String> { received.authorizations.withLock { $0 } }

    /// Every span received so far, from every export request.
    public func spans() -> [ReceivedSpan] {
        received.bodies.withLock { $0 }.flatMap(ReceivedSpan.decode)
    }

    /// Waits up to `timeout` for spans that satisfy `done`; the spans received by then.
    public func spans(within timeout: Duration = .seconds(10), until done: ([ReceivedSpan]) -> Bool) async -> [ReceivedSpan] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let spans = spans()
            if done(spans) { return spans }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return spans()
    }

    /// The export requests' bodies, as the route took them.
    private final class Received: Sendable {
        let bodies = Mutex<[Data]>([])
        let authorizations = Mutex<Set<String>>([])
    }
}

/// One span of an export request, as the test reads it.
public struct ReceivedSpan: Sendable {
    public var name: String
    public var traceId: String
    public var spanId: String
    public var parentSpanId: String?
    public var kind: Int
    /// Every value as text (`intValue` comes as a string already).
    public var attributes: [String: String]
    public var links: [(traceId: String, spanId: String)]
    /// The exporting process's `service.instance.id`.
    public var instance: String?

    static func decode(_ body: Data) -> [ReceivedSpan] {
        guard let json = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
              let resources = json["resourceSpans"] as? [[String: Any]]
        else { return [] }
        return resources.flatMap { resource -> [ReceivedSpan] in
            let instance = attributes((resource["resource"] as? [String: Any])?["attributes"])["service.instance.id"]
            let scopes = resource["scopeSpans"] as? [[String: Any]] ?? []
            return scopes.flatMap { ($0["spans"] as? [[String: Any]] ?? []).map { span(from: $0, instance: instance) } }
        }
    }

    private static func span(from json: [String: Any], instance: String?) -> ReceivedSpan {
        let links = (json["links"] as? [[String: Any]] ?? []).map { ($0["traceId"] as? String ?? "", $0["spanId"] as? String ?? "") }
        return ReceivedSpan(
            name: json["name"] as? String ?? "", traceId: json["traceId"] as? String ?? "", spanId: json["spanId"] as? String ?? "",
            parentSpanId: json["parentSpanId"] as? String, kind: json["kind"] as? Int ?? 0, attributes: attributes(json["attributes"]),
            links: links.map { (traceId: $0.0, spanId: $0.1) }, instance: instance)
    }

    private static func attributes(_ json: Any?) -> [String: String] {
        var out: [String: String] = [:]
        for pair in json as? [[String: Any]] ?? [] {
            guard let key = pair["key"] as? String, let value = (pair["value"] as? [String: Any])?.values.first else { continue }
            out[key] = "\(value)"
        }
        return out
    }
}
