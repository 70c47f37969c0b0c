import CoreMetrics
import Hummingbird
import Synchronization

/// `http_requests_total` and `http_request_duration_seconds` by method, route pattern (never the raw path,
/// so hostile paths cannot grow the series) and status. The time is until the handler answers: a stream's
/// lifetime is not its latency.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    private let cache = HTTPMetricsCache()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let route = context.endpointPath ?? "NotFound"
        let (counter, timer) = cache.metrics(method: request.method.rawValue, route: route, status: Int(response.status.code))
        counter.increment()
        timer.recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        return response
    }
}

final class HTTPMetricsCache: Sendable {
    private struct Key: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    private let entries = Mutex<[Key: (Counter, Timer)]>([:])

    func metrics(method: String, route: String, status: Int) -> (Counter, Timer) {
        let key = Key(method: method, route: route, status: status)
        return entries.withLock { entries in
            if let found = entries[key] { return found }
            let dimensions = [("method", method), ("route", route), ("status", String(status))]
            let made = (Counter(label: "http_requests_total", dimensions: dimensions),
                        Timer(label: "http_request_duration_seconds", dimensions: dimensions))
            entries[key] = made
            return made
        }
    }
}
