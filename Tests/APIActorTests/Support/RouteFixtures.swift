import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Store
@testable import APIActor

/// The API's real router over a database that is never reached (these tests stop before any handler that
/// would use one), for route-level tests that need no server process.
enum RouteFixtures {
    static let token = "route-test-token"

    static func routes(tokens: [String] = [token]) -> RouteTable {
        let database = Database(url: "postgresql://nobody@127.0.0.1:1/none", poolSize: 1, logger: Logger(label: "test"))
        return PaymentAPI.makeRoutes(
            configuration: APIConfiguration(credentials: try! Credentials(parsing: tokens)), database: database, intake: PaymentIntake(database: database))
    }

    /// Runs `body` against `router` in process (HummingbirdTesting's router framework: no socket).
    static func withClient<T: Sendable>(
        _ router: Router<APIRequestContext>, _ body: @Sendable (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        try await Application(router: router).test(.router, body)
    }

    /// A concrete path for a route pattern (`:id` becomes a UUID).
    static func concrete(_ pattern: String) -> String {
        "/" + pattern.split(separator: "/").map { $0.hasPrefix(":") ? UUID().uuidString.lowercased() : String($0) }.joined(separator: "/")
    }

    static func bearer(_ value: String) -> HTTPFields {
        [.authorization: value]
    }
}
