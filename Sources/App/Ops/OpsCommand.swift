import ArgumentParser

/// `payment-service ops …`: the operator endpoints from a shell, against `PAYMENT_API_URL` with
/// `PAYMENT_API_TOKEN` (a credential with the `admin` scope).
struct Ops: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Operator actions over the API (PAYMENT_API_URL, PAYMENT_API_TOKEN with the admin scope).",
        discussion: "Prints a table, or the API's JSON with --json. Exit status: 0 done, 1 the API refused, 2 it could not be reached.",
        subcommands: [OpsPayments.self, OpsOperations.self, OpsRetry.self, OpsSync.self, OpsAudit.self])
}

struct OpsListing: ParsableArguments {
    @Flag(help: "Follow every page") var all = false
    @Flag(help: "Print the API's JSON") var json = false
}

struct OpsPayments: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "payments", abstract: "Payments matching filters, oldest first.")

    @Option var status: String?
    @Flag(inversion: .prefixedNo, help: "Only payments with (or without) a lastError") var hasLastError: Bool?
    @Option var currency: String?
    @Option var amountFrom: Int?
    @Option var amountTo: Int?
    @Option(help: "RFC 3339") var createdFrom: String?
    @Option(help: "RFC 3339") var createdTo: String?
    @Option var cartId: String?
    @Option var limit: Int?
    @OptionGroup var listing: OpsListing

    func run() async throws {
        let query = Query.string([
            ("status", status), ("hasLastError", hasLastError.map(String.init)), ("currency", currency), ("amountFrom", amountFrom.map(String.init)),
            ("amountTo", amountTo.map(String.init)), ("createdFrom", createdFrom), ("createdTo", createdTo), ("cartId", cartId),
            ("limit", limit.map(String.init) ?? "100"),
        ])
        let payments = try await OpsClient.fromEnvironment().pages("/payments" + query, key: "payments", all: listing.all)
        guard !listing.json else { return OpsOutput.json(["payments": payments]) }
        OpsOutput.table(payments, columns: ["paymentId", "status", "amount", "currency", "amountCaptured", "lastError", "createdBy", "createdAt"])
    }
}

struct OpsOperations: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "operations", abstract: "Operations not finished: queued, failed, parked.")

    @Option(help: "queued, failed or parked (default: all three)") var state: String?
    @OptionGroup var listing: OpsListing

    func run() async throws {
        let operations = try await OpsClient.fromEnvironment().pages("/operations" + Query.string([("state", state)]), key: "operations", all: listing.all)
        guard !listing.json else { return OpsOutput.json(["operations": operations]) }
        OpsOutput.table(operations, columns: ["operationId", "kind", "status", "paymentId", "attempts", "nextAttemptAt", "actor", "lastError"])
    }
}

struct OpsRetry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retry", abstract: "Run a parked or refused operation again.")

    @Argument var operationId: String
    @OptionGroup var write: OpsWrite

    func run() async throws {
        try await write.post("/operations/\(Query.escape(operationId))/retry", doing: "retry of operation \(operationId)")
    }
}

struct OpsSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sync", abstract: "Read a payment back from the processor now.")

    @Argument var paymentId: String
    @OptionGroup var write: OpsWrite

    func run() async throws {
        try await write.post("/payments/\(Query.escape(paymentId))/sync", doing: "sync of payment \(paymentId)")
    }
}

struct OpsAudit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "The audit log of a payment or a refund, oldest first.")

    @Argument var subject: String
    @OptionGroup var listing: OpsListing

    func run() async throws {
        let entries = try await OpsClient.fromEnvironment().pages("/audit" + Query.string([("subject", subject)]), key: "entries", all: listing.all)
        guard !listing.json else { return OpsOutput.json(["entries": entries]) }
        OpsOutput.table(entries, columns: ["at", "actor", "action", "subject", "statusBefore", "statusAfter", "reason", "requestId"])
    }
}

/// The options of a write (retry, sync), and its one POST.
struct OpsWrite: ParsableArguments {
    @Option(help: "Recorded in the audit log (X-Reason)") var reason: String?
    @Flag(help: "Print the API's JSON") var json = false

    func post(_ path: String, doing: String) async throws {
        let answer = try await OpsClient.fromEnvironment().call("POST", path, reason: reason)
        guard !json else { return OpsOutput.json(answer) }
        let payment = answer["payment"] as? [String: Any] ?? [:]
        let operation = OpsOutput.text(answer["operationId"])
        print("\(doing): operation \(operation) for payment \(OpsOutput.text(payment["paymentId"])), now \(OpsOutput.text(payment["status"]))")
    }
}
