/// `expand[]=…`: the paths whose ids an answer replaces with the objects they name.
struct Expansion: Sendable, Equatable {
    var paths: Set<String> = []

    static let none = Expansion()

    /// What a PaymentIntent answer can expand.
    static let intentPaths: Set<String> = ["latest_charge", "latest_charge.review"]
    /// What a PaymentIntent list can expand: each intent's paths, under `data.`.
    static let intentListPaths: Set<String> = Set(["data"] + intentPaths.map { "data." + $0 })
    /// What a Charge answer can expand.
    static let chargePaths: Set<String> = ["review"]

    func contains(_ path: String) -> Bool { paths.contains(path) }

    /// The paths under `prefix` (`data.` of a list), without it: what applies to each listed object.
    func inside(_ prefix: String) -> Expansion {
        var inner = Expansion()
        inner.paths = Set(paths.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) })
        return inner
    }

    /// Reads `expand[]` (or `expand[0]`…), refusing a path not in `allowed` as Stripe does, naming the
    /// path up to its first segment that cannot be expanded.
    init(_ params: FormParams, allowed: Set<String>) throws(StripeError) {
        guard let value = params["expand"] else { return }
        guard let list = value.array?.map(\.string) else { throw .invalidRequest("Invalid array", param: "expand") }
        for (index, path) in list.enumerated() {
            guard let path, !path.isEmpty else { throw .invalidParameter("expand[\(index)]") }
            if let refused = Self.firstUnexpandable(path, allowed: allowed) {
                throw .invalidRequest("This property cannot be expanded (\(refused)).", param: "expand[\(index)]")
            }
            paths.insert(path)
        }
    }

    private init() {}

    private static func firstUnexpandable(_ path: String, allowed: Set<String>) -> String? {
        var prefix = ""
        for segment in path.split(separator: ".", omittingEmptySubsequences: false) {
            prefix += prefix.isEmpty ? String(segment) : "." + segment
            if !allowed.contains(prefix) { return prefix }
        }
        return nil
    }
}
