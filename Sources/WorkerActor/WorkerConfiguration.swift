import Payments
import StripeGateway

public struct WorkerConfiguration: Sendable {
    /// Processor operations in flight at once (`WORKER_CONCURRENCY`).
    public var concurrency: Int
    /// How long a claim is exclusive without a heartbeat (`WORKER_LEASE`): the runner extends it every third
    /// of it while it works. A crashed worker's operations wait this long.
    public var lease: Duration
    /// How often the queue is swept for due, retried and abandoned work.
    public var pollInterval: Duration
    /// This worker's name on its leases.
    public var owner: String
    /// On graceful shutdown, how long operations in flight may take to finish their processor calls before
    /// they are cancelled (and their leases given back).
    public var drainTimeout: Duration
    /// Whether the processor accepts the key: while it refuses, only one probe is claimed per backoff period.
    public var credentials: CredentialStatus
    /// How long the processor's search may lag behind a create (`STRIPE_SEARCH_LAG`): a create whose key
    /// replays a saved 500 moves to the next key only once the search has found nothing for this long.
    public var searchLag: Duration
    /// How long a customer may take to authenticate (`AUTHENTICATION_TIMEOUT`), and how often it is checked.
    public var authentication: AuthenticationPolicy

    public init(
        concurrency: Int = 16, lease: Duration = .seconds(15), pollInterval: Duration = .milliseconds(500), owner: String,
        drainTimeout: Duration = .seconds(10), credentials: CredentialStatus = CredentialStatus(), searchLag: Duration = .seconds(60),
        authentication: AuthenticationPolicy = AuthenticationPolicy()
    ) {
        self.authentication = authentication
        self.credentials = credentials
        self.searchLag = searchLag
        self.concurrency = concurrency
        self.lease = lease
        self.pollInterval = pollInterval
        self.owner = owner
        self.drainTimeout = drainTimeout
    }
}
