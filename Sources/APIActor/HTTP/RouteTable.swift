import HTTPTypes
import Hummingbird

/// Where every route of the API is registered, each saying whether it is open or protected. Authentication is
/// decided by the route a request resolved to (the bearer check is part of the protected routes' own
/// responders), never by the text of its path: `//payments/authorize` resolves to the same protected route
/// as `/payments/authorize`. A route added to the router any other way is caught by a test.
final class RouteTable {
    enum Access: Sendable, Hashable {
        case open
        /// A known credential with this scope (`admin` implies every scope).
        case requires(Scope)

        var isOpen: Bool { self == .open }
    }

    typealias Handler = @Sendable (Request, APIRequestContext) async throws -> Response

    let router: Router<APIRequestContext>
    private let credentials: Credentials
    private let open: RouterGroup<APIRequestContext>
    private var scoped: [Scope?: RouterGroup<APIRequestContext>] = [:]

    struct Entry: Sendable {
        var path: String
        var methods: [(method: HTTPRequest.Method, access: Access)]

        var isOpen: Bool { methods[0].access.isOpen }
    }

    /// Every path pattern with its methods and their access, in registration order.
    private(set) var paths: [Entry] = []

    init(router: Router<APIRequestContext>, credentials: Credentials) {
        self.router = router
        open = router.group()
        self.credentials = credentials
    }

    func get(_ path: String, _ access: Access, _ handler: @escaping Handler) { add(.get, path, access, handler) }
    func post(_ path: String, _ access: Access, _ handler: @escaping Handler) { add(.post, path, access, handler) }

    func add(_ method: HTTPRequest.Method, _ path: String, _ access: Access, _ handler: @escaping Handler) {
        group(access).on(RouterPath(path), method: method, use: handler)
        if let index = paths.firstIndex(where: { $0.path == path }) {
            precondition(paths[index].isOpen == access.isOpen, "\(path) is registered both open and protected")
            paths[index].methods.append((method, access))
        } else {
            paths.append(Entry(path: path, methods: [(method, access)]))
        }
    }

    /// The access of each registered route, keyed as the router describes it: "METHOD /payments/{id}".
    var access: [String: Access] {
        var byRoute: [String: Access] = [:]
        for entry in paths {
            for (method, access) in entry.methods { byRoute[Self.key(method, RouterPath(entry.path))] = access }
        }
        return byRoute
    }

    static func key(_ method: HTTPRequest.Method, _ path: RouterPath) -> String {
        "\(method.rawValue) /\(path.description.drop(while: { $0 == "/" }))"
    }

    /// Call once every route is registered. A request whose path resolves to a route but whose method does
    /// not then answers 405 with `Allow`, after the bearer check of a protected path (401 first; any known
    /// credential, as the path's methods may need different scopes). Added last, the middleware wraps only the
    /// router's not-found answer.
    func finish() {
        let known = Router(context: APIRequestContext.self)
        let table = RouteTable(router: known, credentials: credentials)
        for entry in paths {
            let allow = entry.methods.map(\.method.rawValue).joined(separator: ", ")
            let group = entry.isOpen ? table.open : table.authenticated(nil)
            group.on(RouterPath(entry.path), method: .get) { _, _ -> Response in
                throw APIProblem(.methodNotAllowed, detail: "this resource allows \(allow)", headers: [.allow: allow])
            }
        }
        router.add(middleware: MethodNotAllowedMiddleware(known: known.buildResponder()))
    }

    private func group(_ access: Access) -> RouterGroup<APIRequestContext> {
        switch access {
        case .open: open
        case .requires(let scope): authenticated(scope)
        }
    }

    /// The group of the routes that need `scope` (nil: any known credential), made on first use.
    private func authenticated(_ scope: Scope?) -> RouterGroup<APIRequestContext> {
        if let group = scoped[scope] { return group }
        let group = router.group().add(middleware: BearerAuthMiddleware(credentials: credentials, requires: scope))
        scoped[scope] = group
        return group
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
