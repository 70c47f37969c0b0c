/// What a credential may do. `admin` implies every scope.
public enum Scope: String, Sendable, CaseIterable, Comparable {
    case authorize, capture, void, refund, read, events, admin

    public static func < (lhs: Scope, rhs: Scope) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

extension Set<Scope> {
    func grants(_ scope: Scope) -> Bool { contains(scope) || contains(.admin) }
}
