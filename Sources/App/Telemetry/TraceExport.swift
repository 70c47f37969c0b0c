import Foundation
import Logging
import ServiceLifecycle
import StripeGateway
import Telemetry

/// Tracing, when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: the process's tracer, and the service that posts its
/// spans to `<endpoint>/v1/traces` (OTLP/HTTP, JSON) through a libcurl client of its own, so exports never take
/// a connection or a rate-limit token from processor calls.
struct TraceExport {
    let exporter: SpanExporter
    let http: CurlHTTPClient

    /// nil when the endpoint is unset. Call before the API's router is built: the router adds its tracing
    /// middleware only when tracing is on.
    static func start(endpoint: String?, headers: [(String, String)], instance: String, logger: Logger) -> TraceExport? {
        guard let endpoint else { return nil }
        let queue = SpanQueue(capacity: 4096)
        Traces.bootstrap(OTLPTracer(queue: queue))
        let http = CurlHTTPClient(maxConcurrent: 1, connectTimeout: .seconds(2), totalTimeout: .seconds(10), maxResponseBytes: 64 << 10)
        let url = tracesURL(endpoint)
        let resource = ["service.name": "payment-service", "service.instance.id": instance]
        logger.info("tracing on: spans go to \(redacted(url))", metadata: ["otlp_headers": "\(headers.map(\.0))"])
        let exporter = SpanExporter(queue: queue, resource: resource, logger: logger) { body in
            let request = CurlRequest(method: "POST", url: url, headers: [("Content-Type", "application/json")] + headers, body: body)
            guard let response = try? await http.send(request) else { return false }
            return (200..<300).contains(response.status)
        }
        return TraceExport(exporter: exporter, http: http)
    }

    /// `url` without its user and password, for the log.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.user != nil || components.password != nil else { return url }
        components.user = nil
        components.password = nil
        return components.string ?? "(unprintable)"
    }

    /// The OTLP/HTTP rule for the base endpoint: the signal's path is appended to it.
    static func tracesURL(_ endpoint: String) -> String {
        (endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint) + "/v1/traces"
    }
}
