import HTTPTypes
import Hummingbird

/// Where every route of the API is registered, each saying whether it is open or protected. Authentication is
/// decided by the route a request resolved to (the bearer check is part of the protected routes' own
/// responders), never by the text of its path: `//payments/authorize` resolves to the same protected route
/// as `/payments/authorize`. A route added to the router any other way is caught by a test.
final class RouteTable {
    enum Access: Sendable {
        case open, protected
    }

    typealias Handler = @Sendable (Request, APIRequestContext) async throws -> Response

    let router: Router<APIRequestContext>
    private let open: RouterGroup<APIRequestContext>
    private let protected: RouterGroup<APIRequestContext>
    private let tokens: [String]

    struct Entry: Sendable {
        var path: String
        var access: Access
        var methods: [HTTPRequest.Method]
    }

    /// Every path pattern with its access and methods, in registration order.
    private(set) var paths: [Entry] = []

    init(router: Router<APIRequestContext>, tokens: [String]) {
        self.router = router
        open = router.group()
        protected = router.group().add(middleware: BearerAuthMiddleware(tokens: tokens))
        self.tokens = tokens
    }

    func get(_ path: String, _ access: Access, _ handler: @escaping Handler) { add(.get, path, access, handler) }
    func post(_ path: String, _ access: Access, _ handler: @escaping Handler) { add(.post, path, access, handler) }

    func add(_ method: HTTPRequest.Method, _ path: String, _ access: Access, _ handler: @escaping Handler) {
        group(access).on(RouterPath(path), method: method, use: handler)
        if let index = paths.firstIndex(where: { $0.path == path }) {
            precondition(paths[index].access == access, "\(path) is registered both open and protected")
            paths[index].methods.append(method)
        } else {
            paths.append(Entry(path: path, access: access, methods: [method]))
        }
    }

    /// The access of each registered route, keyed as the router describes it: "METHOD /payments/{id}".
    var access: [String: Access] {
        var byRoute: [String: Access] = [:]
        for entry in paths {
            for method in entry.methods { byRoute[Self.key(method, RouterPath(entry.path))] = entry.access }
        }
        return byRoute
    }

    static func key(_ method: HTTPRequest.Method, _ path: RouterPath) -> String {
        "\(method.rawValue) /\(path.description.drop(while: { $0 == "/" }))"
    }

    /// Call once every route is registered. A request whose path resolves to a route but whose method does
    /// not then answers 405 with `Allow`, after that route's own bearer check (401 first). Added last, the
    /// middleware wraps only the router's not-found answer.
    func finish() {
        let known = Router(context: APIRequestContext.self)
        let table = RouteTable(router: known, tokens: tokens)
        for entry in paths {
            let allow = entry.methods.map(\.rawValue).joined(separator: ", ")
            table.group(entry.access).on(RouterPath(entry.path), method: .get) { _, _ -> Response in
                throw APIProblem(.methodNotAllowed, detail: "this resource allows \(allow)", headers: [.allow: allow])
            }
        }
        router.add(middleware: MethodNotAllowedMiddleware(known: known.buildResponder()))
    }

    private func group(_ access: Access) -> RouterGroup<APIRequestContext> {
        access == .open ? open : protected
    }
}

/// Looks a request the router could not serve up again by its path alone, in a router that holds every path
/// of the API under GET (the same trie, so the same resolution). Found: that path's 405 responder answers,
/// behind its own access rule. Not found: 404.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let known: RouterResponder<APIRequestContext>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var head = request.head
        head.method = .get
        // A known path throws its 401 or 405; only an unknown one comes back as an answer (the trie's 404).
        _ = try await known.respond(to: Request(head: head, body: request.body), context: context)
        return try await next(request, context)
    }
}
