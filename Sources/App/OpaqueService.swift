import ServiceLifecycle

/// Shows a service by its type name only. ServiceLifecycle logs every service as `"\(service)"`, which for a
/// struct prints its stored properties: the embedded sandbox's configuration would put the webhook secret in
/// the debug log.
struct OpaqueService: Service, CustomStringConvertible {
    let base: any Service
    var description: String { String(describing: type(of: base)) }

    func run() async throws {
        try await base.run()
    }
}
